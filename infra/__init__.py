"""What every layer needs and no capability owns: shared state, jobs, WeChat's API, logs, time."""

"""Schools, student families, their activities, enrolment and reminders."""

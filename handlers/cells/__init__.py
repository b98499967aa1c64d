"""Zero-waste cells (无废细胞): applications, assessment, evidence, review."""

"""The write side: validation, submission, revisions, review and audit."""

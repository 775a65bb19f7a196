"""Scheduled jobs and the scheduler process (`flask --app run irm scheduler`)."""

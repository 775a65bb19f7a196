"""Roles, the user-office link and the office scoping."""

"""Pages: FAB views over the entity declarations (app/entities) and the pages of their own."""

"""REST APIs under /api/v1/<resource>/, one per entity, all inheriting the scoped base API."""

"""GraphQL resolvers, one module per entity; `resolvers.all` imports (registers) them all."""

"""The GraphQL face of the engine: Starlette app, strawberry schema, console."""

"""The planners' console: GraphiQL served from our own server, never from a CDN."""

"""Who may do what: roles, permissions, the authenticated principal and its row scope."""

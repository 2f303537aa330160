"""The handlers every domain builds on: the typed context, routing, the member middleware, /start and
/help, /language, /settings, broadcasts and the one error handler."""

"""The HTTP and websocket edge: the FastAPI app, routers per audience, middleware."""

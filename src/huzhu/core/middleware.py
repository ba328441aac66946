"""Pages that stay in the users' language while the app runs with its development default (DEBUG)."""
from django.conf import settings
from django.shortcuts import render


class ChineseNotFoundMiddleware:
    """Under DEBUG (the default of `make run`) Django answers every 404 with its English technical page,
    URL patterns and all; a clerk trying the demo gets the Chinese templates/404.html as in production.
    The API keeps its own JSON answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code == 404 and not request.path.startswith("/api/")
                and response.get("Content-Type", "").startswith("text/html")):
            return render(request, "404.html", status=404)
        return response

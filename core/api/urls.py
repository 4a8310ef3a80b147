"""The API's own routes: OpenAPI schema, interactive docs and the token.

The docs are Swagger UI served from drf-spectacular-sidecar's static files,
so they work with no internet access. (Redoc is not offered: its page pulls
fonts from Google.)
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.views import TokenObtainView

app_name = "api"

urlpatterns = [
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("api/token", TokenObtainView.as_view(), name="token"),
]

"""REST API routes of the risk app (mounted at the site root, beside /plans)."""

from risk.api import views
from risk.urls import routes

app_name = "risk-api"

urlpatterns = routes(views, api=True)

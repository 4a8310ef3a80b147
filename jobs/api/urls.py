"""REST API routes of the jobs app (mounted at the site root): the UI's routes
(:func:`jobs.urls.job_routes`) served by the API's views.

``POST /jobs/aggregate`` belongs to the plans app; ``jobs/<id:pk>`` never
matches it.
"""

from jobs.api import views
from jobs.urls import job_routes

app_name = "jobs-api"

urlpatterns = job_routes(views)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Jobs")

    def ready(self) -> None:
        from core.metrics import register_collector
        from jobs import registry
        from jobs.filters import add_subject_filters
        from jobs.metrics import JobStateCollector

        # Every app's handlers.py registers its job types and subjects (jobs
        # knows no app); the job filters then offer one filter per subject kind.
        registry.autodiscover()
        add_subject_filters()
        register_collector(JobStateCollector())

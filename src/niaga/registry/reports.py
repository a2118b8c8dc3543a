"""The problem report as a CSV file, safe to open in a spreadsheet."""

from django.utils.translation import gettext as _

from niaga.core.csv_export import write_csv


def write_problems_csv(stream, problems) -> None:
    headers = [_("row"), _("column"), _("value"), _("reason"), _("message")]
    rows = (
        [problem.row.number, problem.column, problem.value, problem.reason, problem.message]
        for problem in problems.iterator(chunk_size=2000)
    )
    write_csv(stream, headers, rows)

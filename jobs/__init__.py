"""Long work out of web requests: a справка's PDF or workbook, an approval, a large import, the
bank export. See jobs.runner."""

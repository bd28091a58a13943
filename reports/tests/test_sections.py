"""The registry of the справка's sections matches the section kinds programmes can choose."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

from participants.models import ReportSection
from reports.sections import SECTIONS, register

ROOT = Path(settings.BASE_DIR)


def test_every_section_kind_is_registered_once_and_in_print_order():
    assert list(SECTIONS) == list(ReportSection.values)


def test_a_section_cannot_be_registered_twice():
    with pytest.raises(ValueError):
        register(ReportSection.RESIDENTS, SECTIONS[ReportSection.RESIDENTS].compute)
    assert len(SECTIONS) == len(ReportSection.values)


@pytest.mark.parametrize("key", list(SECTIONS))
def test_a_registered_section_has_its_title_template_and_sheet(key):
    section = SECTIONS[key]
    assert section.title == ReportSection(key).label
    assert section.json_key == key
    get_template(section.template)  # raises when the template file is missing
    if section.table:
        assert section.sheet is not None
    if section.sheet is not None:
        assert 0 < len(section.sheet_name or section.title) <= 31
    if section.chart is not None:
        assert callable(section.chart.png)


@pytest.mark.parametrize(
    "module", ["reports.services", "reports.rendering", "reports.exporters", "reports.drafts", "reports.narrative"]
)
def test_the_registry_imports_without_a_circle_whichever_module_comes_first(module):
    code = f"import django; django.setup(); import {module}; import reports.sections"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "talentbank.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

"""JUnit XML for CI test dashboards: one suite per target, one case per check."""
from __future__ import annotations

from typing import TYPE_CHECKING

from abicheck.errors import printable
from abicheck.report.common import plural, summary, where
from abicheck.report.findings import CheckResult, Report
from abicheck.report.registry import BaseRenderer, register

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET


def junit_tree(report: Report) -> ET.Element:
    """``<testsuites>`` with one suite per target and one case per check."""
    # imported here: every command's --format choices import this module,
    # and only a junit report needs the XML library (~1.7 ms of start-up)
    import xml.etree.ElementTree as ET
    by_cell: dict[tuple[str, str], CheckResult] = {}
    for r in report.results:
        by_cell.setdefault((r.check, r.target), r)
    s = summary(report)
    root = ET.Element("testsuites", {
        "name": "abicheck", "tests": str(s["passed"] + s["failed"] + s["not_applicable"]),
        "failures": str(s["failed"]), "skipped": str(s["not_applicable"])})
    for target in report.targets:
        column = [by_cell[c, target].passed if (c, target) in by_cell else None
                  for c in report.checks]
        suite = ET.SubElement(root, "testsuite", {
            "name": target, "tests": str(len(column)),
            "failures": str(sum(v is False for v in column)),
            "skipped": str(sum(v is None for v in column))})
        for check, passed in zip(report.checks, column):
            case = ET.SubElement(suite, "testcase", {"classname": report.subject, "name": check})
            if passed is None:
                ET.SubElement(case, "skipped")
            elif passed is False:
                r = by_cell.get((check, target))
                detail = r.findings if r is not None else ()
                failure = ET.SubElement(case, "failure", {
                    "message": f"{check} failed on {target}: {plural(len(detail), 'finding')}"})
                failure.text = "\n".join(f"{where(f)}: {f.id}: {f.message}" for f in detail) or None
    return root


@register("junit")
class JunitRenderer(BaseRenderer):
    def render(self, report: Report) -> str:
        import xml.etree.ElementTree as ET
        root = junit_tree(report)
        for el in root.iter():      # XML 1.0 cannot carry control characters at all
            el.attrib.update({k: printable(v) for k, v in el.attrib.items()})
            if el.text:
                el.text = "\n".join(printable(line) for line in el.text.split("\n"))
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

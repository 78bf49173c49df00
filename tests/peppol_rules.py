"""The official e-invoice rules as a test oracle: CEN EN 16931 (compiled XSLT) and Peppol BIS
Billing 3.0 (Schematron, compiled here with SchXslt), both run with Saxon (saxonche).

The rule files are in tests/data/peppol with their licences (see the README there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from saxonche import PySaxonProcessor, PyXsltExecutable

RULES = Path(__file__).resolve().parent / "data" / "peppol"
CEN = RULES / "EN16931-UBL-validation.xslt"
PEPPOL = RULES / "PEPPOL-EN16931-UBL.sch"
SCHXSLT = RULES / "schxslt" / "core" / "src" / "main" / "resources" / "xslt" / "2.0"
FAILED = re.compile(r"<svrl:failed-assert\b(?P<attrs>[^>]*)>(?P<body>.*?)</svrl:failed-assert>",
                    re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')
TEXT = re.compile(r"<svrl:text>(.*?)</svrl:text>", re.S)


@dataclass(frozen=True)
class Failure:
    rule: str
    flag: str
    text: str
    location: str


class Rules:
    """Both rule sets compiled once; ``check`` returns every failed assert of a document."""

    def __init__(self) -> None:
        self._processor = PySaxonProcessor(license=False)
        xslt = self._processor.new_xslt30_processor()
        pipeline = xslt.compile_stylesheet(
            stylesheet_file=str(SCHXSLT / "pipeline-for-svrl.xsl"))
        peppol = pipeline.transform_to_string(source_file=str(PEPPOL))
        self._sets: dict[str, PyXsltExecutable] = {
            "EN 16931": xslt.compile_stylesheet(stylesheet_file=str(CEN)),
            "Peppol BIS 3.0": xslt.compile_stylesheet(stylesheet_text=peppol),
        }

    def check(self, document: bytes) -> list[Failure]:
        node = self._processor.parse_xml(xml_text=document.decode("utf-8"))
        failures: list[Failure] = []
        for executable in self._sets.values():
            svrl = executable.transform_to_string(xdm_node=node) or ""
            for match in FAILED.finditer(svrl):
                attrs = dict(ATTR.findall(match["attrs"]))
                text = TEXT.search(match["body"])
                failures.append(Failure(attrs.get("id", "?"), attrs.get("flag", "fatal"),
                                        (text.group(1) if text else "").strip(),
                                        attrs.get("location", "")))
        return failures

    def fatal(self, document: bytes) -> list[Failure]:
        return [f for f in self.check(document) if f.flag == "fatal"]

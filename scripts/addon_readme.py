"""Each addon's README.rst and Apps page (static/description/index.html),
built from its readme/ fragments, as OCA's oca-gen-addon-readme does:

    readme/DESCRIPTION.rst   what it does (first)
    readme/CONFIGURE.rst     Configuration
    readme/USAGE.rst         Usage
    readme/CONTRIBUTORS.rst  Credits > Contributors

The fragments are reStructuredText; images name files under the addon
(``static/description/x.png``), which the Apps page shows from its own folder.
``python -m scripts.addon_readme`` writes both files of every addon;
``--check`` (make lint) fails when one is not what its fragments make.
"""
import ast
import pathlib
import sys

from docutils.core import publish_parts

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDONS = ("crm_xero", "crm_xero_sale")
SECTIONS = (("DESCRIPTION", None), ("CONFIGURE", "Configuration"), ("USAGE", "Usage"),
            ("CONTRIBUTORS", "Contributors"))
HEADER = ".. Made by scripts/addon_readme.py from readme/*.rst: edit those, then run it.\n\n"


def _title(text, char):
    return f"{text}\n{char * len(text)}\n\n"


def readme_rst(addon_dir):
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))
    parts = [HEADER, "=" * len(manifest["name"]) + "\n", _title(manifest["name"], "=")]
    parts.append(f"*{manifest['summary']}*\n\n")
    parts.append(f"License: {manifest['license']}. Odoo 18.0 and 19.0 (one tree).\n\n")
    parts.append(".. contents:: Table of contents\n   :local:\n\n")
    for fragment, heading in SECTIONS:
        path = addon_dir / "readme" / f"{fragment}.rst"
        if not path.exists():
            continue
        if heading:
            parts.append(_title(heading, "-"))
        parts.append(path.read_text(encoding="utf-8").strip() + "\n\n")
    return "".join(parts)


def index_html(rst):
    """The Apps page: the README as HTML, its images from the page's own folder."""
    body = publish_parts(rst.replace("static/description/", ""), writer_name="html",
                         settings_overrides={"report_level": 2, "halt_level": 2,
                                             "embed_stylesheet": False,
                                             "initial_header_level": 2})["html_body"]
    return body   # README.rst's first line, a comment, says where it comes from


def main(check=False):
    stale = []
    for addon in ADDONS:
        addon_dir = ROOT / "addons" / addon
        rst = readme_rst(addon_dir)
        outputs = {addon_dir / "README.rst": rst,
                   addon_dir / "static" / "description" / "index.html": index_html(rst)}
        for path, text in outputs.items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if check:
                stale.append(str(path.relative_to(ROOT)))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        sys.exit("Not what readme/ makes (run: python -m scripts.addon_readme): "
                 + ", ".join(stale))


if __name__ == "__main__":
    main(check="--check" in sys.argv[1:])

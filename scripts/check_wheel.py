"""The addons' wheels, for scripts/wheels.sh.

``prepare DIR SERIES``: a copy of an addon becomes that series' build: its
manifest's version gets the series prefix Odoo would give it ("2.2.0" ->
"19.0.2.2.0", the wheel's version) and its pyproject.toml names the series
for whool.  ``check DIR SERIES ADDON...``: each addon has one wheel there,
of that series, holding every file its manifest names.
"""
import ast
import fnmatch
import pathlib
import re
import sys
import zipfile


def _manifest(path):
    return ast.literal_eval(path.read_text(encoding="utf-8"))


def prepare(addon_dir, series):
    addon_dir = pathlib.Path(addon_dir)
    manifest = addon_dir / "__manifest__.py"
    text = manifest.read_text(encoding="utf-8")
    version = _manifest(manifest)["version"]
    parts = version.split(".")
    base = ".".join(parts[2:] if len(parts) == 5 else parts)   # without any series
    text = text.replace('"%s"' % version, '"%s.%s"' % (series, base), 1)
    manifest.write_text(text, encoding="utf-8")
    pyproject = addon_dir / "pyproject.toml"
    pyproject.write_text(re.sub(r'odoo_series_override = "[^"]*"',
                                'odoo_series_override = "%s"' % series,
                                pyproject.read_text(encoding="utf-8")), encoding="utf-8")


def named_files(manifest):
    """Every file path (relative to the addon) the manifest names."""
    files = list(manifest.get("data", [])) + list(manifest.get("demo", []))
    for bundle in (manifest.get("assets") or {}).values():
        for entry in bundle:
            files.append(entry if isinstance(entry, str) else entry[-1])
    return files


def check(wheel_dir, series, addons):
    wheel_dir = pathlib.Path(wheel_dir)
    problems = []
    for addon in addons:
        wheels = sorted(wheel_dir.glob(f"odoo_addon_{addon}-{series}.*.whl"))
        if len(wheels) != 1:
            problems.append(f"{series}: expected one wheel of {addon}, found "
                            f"{[w.name for w in wheels]}")
            continue
        with zipfile.ZipFile(wheels[0]) as wheel:
            names = set(wheel.namelist())
            prefix = f"odoo/addons/{addon}/"
            manifest = ast.literal_eval(wheel.read(prefix + "__manifest__.py").decode())
            metadata = next(wheel.read(n).decode() for n in names if n.endswith("/METADATA"))
        missing = []
        for pattern in named_files(manifest):
            relative = pattern.split("/", 1)[1] if pattern.startswith(addon + "/") else pattern
            if any(ch in relative for ch in "*?["):
                # Odoo's asset globs ("**/*"): fnmatch's * crosses folders too.
                # (and "**/" also matches no folder at all, as Odoo's glob does).
                matched = (fnmatch.filter(names, prefix + relative)
                           + fnmatch.filter(names, prefix + relative.replace("**/", "")))
                if not matched:
                    missing.append(pattern)
            elif prefix + relative not in names:
                missing.append(pattern)
        if missing:
            problems.append(f"{wheels[0].name} lacks {missing}")
        if f"Requires-Dist: odoo=={series}.*" not in metadata:
            problems.append(f"{wheels[0].name} does not require Odoo {series}")
        for dependency in (manifest.get("external_dependencies") or {}).get("python", []):
            if f"Requires-Dist: {dependency}" not in metadata:
                problems.append(f"{wheels[0].name} does not require {dependency}")
        print(f"{wheels[0].name}: {len(names)} files, the manifest's {len(named_files(manifest))} "
              f"named files inside" if not missing else f"{wheels[0].name}: MISSING {missing}")
    if problems:
        sys.exit("\n".join(problems))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif command == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(f"unknown command {command}")

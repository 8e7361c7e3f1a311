"""``amspares doctor`` on fake Windows/macOS machines, and the ``addin`` command.

Where expected values come from: the folders the VBA searches for the DLL and config
files are read off the VBA of the committed add-in (``XLPyLoadDLL``, ``GetConfigFilePath``,
``PROJECT_NAME``); versions come from the add-in's VBA and pyproject.toml.  The real
add-in file is used wherever the checks read VBA or the config sheet.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from amspares import doctor
from amspares.commands import addin as addin_cmd
from amspares.commands import doctor as doctor_cmd
from amspares.errors import AmsparesError
from amspares.excel import addin_build

ROOT = Path(__file__).resolve().parents[1]
XLAM = str(ROOT / "xlam" / "amspares.xlam")
VERSION = "0.37.8"  # XLWINGS_VERSION of the committed add-in, checked below
PY_DIR = r"C:\Users\ann\AppData\Local\Programs\Python\Python311"
HOME = r"C:\Users\ann"
APPDATA = r"C:\Users\ann\AppData\Roaming"
XLSTART = APPDATA + r"\Microsoft\Excel\XLSTART"
USER_CONF = HOME + r"\.amspares\amspares.conf"


@pytest.fixture(scope="module")
def vba():
    return addin_build.read_vba_modules(XLAM)


def test_facts_the_fakes_rely_on(vba):
    code = vba["xlwings"]
    assert addin_build.vba_constant(vba, "XLWINGS_VERSION") == VERSION
    assert addin_build.vba_constant(vba, "PROJECT_NAME") == "amspares"
    assert 'GetConfigFilePath = Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in code
    assert 'LoadLibrary(ParentFolder(PYTHON_WIN) + "\\" + XLPyDLLName)' in code
    assert 'LoadLibrary(ParentFolder(ParentFolder(PYTHON_WIN)) + "\\" + XLPyDLLName)' in code
    assert f'Const XLPyDLLName As String = "xlwings64-{VERSION}.dll"' in code


class FakeFS:
    """Files (case-insensitive on Windows) with optional text content."""

    def __init__(self, files=None, windows=True):
        self.windows = windows
        self.files = {self._k(p): t for p, t in (files or {}).items()}

    def _k(self, p):
        return p.lower() if self.windows else p

    def exists(self, p):
        return self._k(p) in self.files

    def read_text(self, p):
        return self.files.get(self._k(p))

    def listdir(self, d):
        prefix = self._k(d).rstrip("\\/") + ("\\" if self.windows else "/")
        return [p[len(prefix) :] for p in self.files if p.startswith(prefix) and "\\" not in p[len(prefix) :]]


def fake_vba_reader(installed_modules=None):
    """Real VBA for the shipped add-in; ``installed_modules`` for the XLSTART copy."""

    def read(path):
        if path == XLAM:
            return addin_build.read_vba_modules(XLAM)
        if installed_modules is None:
            raise AssertionError(f"unexpected VBA read of {path}")
        return installed_modules

    return read


def healthy_windows(**over):
    """A Windows machine set up as docs/install-windows.md says."""
    installed = dict(addin_build.read_vba_modules(XLAM))
    installed["xlwings_udfs"] = 'Attribute VB_Name = "xlwings_udfs"\n'
    files = {
        XLAM: None,
        PY_DIR + r"\python.exe": None,
        PY_DIR + r"\pythonw.exe": None,
        PY_DIR + rf"\xlwings64-{VERSION}.dll": None,
        PY_DIR + rf"\xlwings32-{VERSION}.dll": None,
        XLSTART + r"\amspares.xlam": None,
    }
    files.update(over.pop("files", {}))
    for gone in over.pop("remove", ()):
        files.pop(gone)
    fs = FakeFS(files)
    registry = over.pop("registry", {"AccessVBOM": 1, "VBAWarnings": 2})
    kw = dict(
        platform="win32",
        python_version="3.11.9",
        executable=PY_DIR + r"\python.exe",
        prefix=PY_DIR,
        home=HOME,
        env={"PATH": PY_DIR + ";" + PY_DIR + r"\Scripts;C:\Windows\system32", "USERPROFILE": HOME},
        versions={"amspares": "0.1.0", "xlwings": VERSION, "numpy": "2.0", "scipy": "1.14", "openpyxl": "3.1.5"},
        pinned_xlwings=VERSION,
        addin=XLAM,
        appdata=APPDATA,
        exists=fs.exists,
        listdir=fs.listdir,
        read_text=fs.read_text,
        import_module=lambda name: object(),
        which=lambda name, path=None: PY_DIR + "\\" + name if PY_DIR in (path or "") else None,
        read_vba=fake_vba_reader(over.pop("installed_modules", installed)),
        read_sheet=addin_build.read_config_sheet,
        registry=lambda key, name: registry.get(name),
        registry_machine=lambda key, name: None,
        python_platform="win-amd64",
        has_module=lambda name: True,
    )
    kw.update(over)
    return doctor.Environment(**kw)


def problems(env):
    return {c.name: c for c in doctor.run_checks(env) if not c.ok}


def test_healthy_windows_has_no_problems():
    checks = doctor.run_checks(healthy_windows())
    assert [c for c in checks if not c.ok] == []
    assert doctor.exit_code(checks) == 0
    names = [c.name for c in checks]
    for expected in ("python", "package xlwings", "add-in VBA version", "xlwings DLL", "interpreter", "amspares.udfs", "config: user file"):
        assert expected in names
    assert doctor.format_checks(checks).endswith("no problems found")


def test_report_lists_versions_and_config():
    text = doctor.format_checks(doctor.run_checks(healthy_windows()))
    assert "ok       package numpy: 2.0" in text
    assert f"xlwings {VERSION} in the VBA and in Python" in text
    assert "UDF MODULES='amspares.udfs'" in text
    assert rf"none ({USER_CONF})" in text


def test_missing_udfs_module_is_a_problem():
    def imp(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    p = problems(healthy_windows(import_module=imp))
    assert set(p) == {"amspares.udfs"}
    assert p["amspares.udfs"].fix
    assert doctor.exit_code(doctor.run_checks(healthy_windows(import_module=imp))) == 1


def test_udfs_import_error_inside_module_is_reported_not_raised():
    def imp(name):
        raise ValueError("bad table\nsecond line")

    c = problems(healthy_windows(import_module=imp))["amspares.udfs"]
    assert c.detail == "import fails: ValueError: bad table"


def test_xlwings_version_mismatch_with_addin_vba():
    p = problems(healthy_windows(versions={"amspares": "0.1.0", "xlwings": "0.33.1", "numpy": "2", "scipy": "1", "openpyxl": "3"}))
    assert "add-in VBA version" in p and "package xlwings" in p
    assert p["add-in VBA version"].detail == f"add-in VBA is xlwings {VERSION}, Python has xlwings 0.33.1"
    assert p["add-in VBA version"].fix == f'pip install "xlwings=={VERSION}"'


def test_dll_of_other_version_is_a_mismatch():
    env = healthy_windows(
        remove=[PY_DIR + rf"\xlwings64-{VERSION}.dll", PY_DIR + rf"\xlwings32-{VERSION}.dll"],
        files={PY_DIR + r"\xlwings64-0.30.10.dll": None},
    )
    c = problems(env)["xlwings DLL"]
    assert "found only xlwings64-0.30.10.dll" in c.detail and "mismatch" in c.detail


def test_dll_not_on_path_when_no_interpreter_set():
    env = healthy_windows(env={"PATH": r"C:\Windows\system32"}, which=lambda name, path=None: None)
    p = problems(env)
    assert "no python on PATH" in p["interpreter"].detail
    assert p["interpreter"].fix == f'put the line "Interpreter_Win","{PY_DIR}\\python.exe" in {USER_CONF} (replacing any Interpreter_Win line)'
    assert p["xlwings DLL"].detail == f"xlwings64-{VERSION}.dll is in {PY_DIR}, but the VBA looks in any folder on PATH"


def test_configured_interpreter_in_venv_finds_dll_in_parent():
    venv = r"C:\work\venv"
    env = healthy_windows(
        executable=venv + r"\Scripts\python.exe",
        prefix=venv,
        files={
            USER_CONF: f'"Interpreter_Win","{venv}\\Scripts\\pythonw.exe"\n',
            venv + r"\Scripts\pythonw.exe": None,
            venv + r"\Scripts\python.exe": None,
            venv + rf"\xlwings64-{VERSION}.dll": None,
        },
        remove=[PY_DIR + rf"\xlwings64-{VERSION}.dll", PY_DIR + rf"\xlwings32-{VERSION}.dll"],
    )
    checks = {c.name: c for c in doctor.run_checks(env)}
    assert checks["interpreter"].ok, checks["interpreter"]
    assert checks["xlwings DLL"].ok and checks["xlwings DLL"].detail.startswith(venv + rf"\xlwings64-{VERSION}.dll")


def test_configured_interpreter_missing():
    env = healthy_windows(files={USER_CONF: '"INTERPRETER_WIN","%USERPROFILE%\\gone\\pythonw.exe"\n'})
    c = problems(env)["interpreter"]
    assert c.detail.startswith(HOME + r"\gone\pythonw.exe (INTERPRETER_WIN from the user file) does not exist")
    assert "Could not find Interpreter!" in c.detail


def test_interpreter_setting_in_xlwings_conf_is_ignored_by_the_addin():
    env = healthy_windows(files={HOME + r"\.xlwings\xlwings.conf": f'"INTERPRETER_WIN","{PY_DIR}\\pythonw.exe"\n'})
    c = problems(env)["config: ignored settings"]
    assert "reads amspares.conf files, not xlwings.conf" in c.detail
    assert c.fix == f"copy those lines into {USER_CONF}"


def test_other_python_on_path_than_amspares():
    other = r"C:\Python39"
    env = healthy_windows(which=lambda name, path=None: other + "\\" + name)
    c = problems(env)["interpreter"]
    assert c.detail == f"Excel would start {other}\\python.exe (python on PATH (no interpreter setting)), but amspares is installed for {PY_DIR}\\python.exe"


def test_store_python():
    store = HOME + r"\AppData\Local\Microsoft\WindowsApps\python.exe"
    p = problems(healthy_windows(executable=store))
    assert "python source" in p and "python.org" in p["python source"].fix


def test_addin_not_installed_blocked_and_outdated():
    assert problems(healthy_windows(remove=[XLSTART + r"\amspares.xlam"]))["installed add-in"].fix == "amspares addin install"
    blocked = problems(healthy_windows(files={XLSTART + r"\amspares.xlam:Zone.Identifier": "[ZoneTransfer]\nZoneId=3\n"}))
    assert "Unblock" in blocked["installed add-in blocked"].fix
    old = {"xlwings": 'Public Const XLWINGS_VERSION As String = "0.30.10"\n'}
    c = problems(healthy_windows(installed_modules=old))["installed add-in version"]
    assert "installed add-in is xlwings 0.30.10" in c.detail and "amspares addin install" in c.fix
    without = {k: v for k, v in addin_build.read_vba_modules(XLAM).items() if k != "xlwings_udfs"}
    c = problems(healthy_windows(installed_modules=without))["Excel functions"]
    assert "ImportPythonUDFsToAddin" in c.fix and "amspares addin install" in c.fix
    # the shipped add-in carries the functions
    assert "Excel functions" not in problems(healthy_windows(installed_modules=dict(addin_build.read_vba_modules(XLAM))))


def test_trust_center_settings():
    # VBA project access matters only for the fallback import into an add-in without functions
    without = {k: v for k, v in addin_build.read_vba_modules(XLAM).items() if k != "xlwings_udfs"}
    p = problems(healthy_windows(registry={"VBAWarnings": 4}, installed_modules=without))
    assert "Trust access to the VBA project object model" in p["trust VBA project access"].fix
    assert "without notification" in p["macro settings"].detail
    p = problems(healthy_windows(registry={"VBAWarnings": 2}))     # the shipped add-in: not needed
    assert "trust VBA project access" not in p


def test_onedrive_workbook():
    od = HOME + r"\OneDrive - Contoso"
    env = healthy_windows(env={"PATH": PY_DIR, "OneDriveCommercial": od}, workbook=od + r"\spares\parts.xlsx")
    c = problems(env)["workbook location"]
    assert "OneDrive/SharePoint" in c.detail and "ONEDRIVE_COMMERCIAL_WIN" in c.fix
    ok = healthy_windows(
        env={"PATH": PY_DIR, "OneDriveCommercial": od},
        workbook=od + r"\spares\parts.xlsx",
        files={USER_CONF: f'"ONEDRIVE_COMMERCIAL_WIN","{od}"\n'},
    )
    assert "workbook location" not in problems(ok)
    assert "workbook location" not in problems(healthy_windows(workbook=r"https://contoso.sharepoint.com/x.xlsx", files={USER_CONF: '"SHAREPOINT_WIN","C:\\sp"\n'}))


def test_workbook_folder_config_overrides_user_file():
    wb_dir = r"D:\models"
    env = healthy_windows(
        workbook=wb_dir + r"\parts.xlsx",
        files={wb_dir + r"\amspares.conf": '"UDF Modules","mymodule"\n', USER_CONF: '"UDF Modules","amspares.udfs"\n'},
    )
    # The add-in's own sheet is read before both files, so amspares.udfs still wins.
    eff = doctor.effective_settings(doctor.config_sources(env))
    assert eff["UDF MODULES"] == ("amspares.udfs", "add-in sheet amspares.conf")


def test_addin_sheet_without_udf_modules_is_a_problem():
    source = str(addin_build.source_xlam())  # the unedited quickstart: its sheet is inactive
    env = healthy_windows(addin=source, files={source: None}, read_vba=lambda p: addin_build.read_vba_modules(source if p == source else XLAM))
    assert "config: UDF Modules" in problems(env)


def test_packages_missing():
    c = problems(healthy_windows(versions={"amspares": "0.1.0", "xlwings": VERSION, "numpy": None, "scipy": "1", "openpyxl": "3"}))
    assert c["package numpy"].detail == "not installed"


def test_old_python():
    assert "python" in problems(healthy_windows(python_version="3.10.11"))


def test_license_key_value_never_printed():
    env = healthy_windows(env={"PATH": PY_DIR, "XLWINGS_LICENSE_KEY": "secret-123"})
    assert "secret-123" not in doctor.format_checks(doctor.run_checks(env))


def test_macos_paths_and_runpython_script():
    home = "/Users/ann"
    script = f"{home}/Library/Application Scripts/com.microsoft.Excel/xlwings-{VERSION}.applescript"
    startup = f"{home}/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/amspares.xlam"
    py = "/Library/Frameworks/Python.framework/Versions/3.11/bin/python3"
    conf = f"{home}/Library/Containers/com.microsoft.Excel/Data/amspares.conf"
    fs = FakeFS({XLAM: None, py: None, startup: None, conf: f'"Interpreter_Mac","{py}"\n'}, windows=False)
    env = doctor.Environment(
        platform="darwin",
        python_version="3.11.9",
        executable=py,
        prefix="/Library/Frameworks/Python.framework/Versions/3.11",
        home=home,
        env={"PATH": "/usr/bin"},
        versions={"amspares": "0.1.0", "xlwings": VERSION, "numpy": "2", "scipy": "1", "openpyxl": "3"},
        pinned_xlwings=VERSION,
        addin=XLAM,
        exists=fs.exists,
        listdir=fs.listdir,
        read_text=fs.read_text,
        import_module=lambda n: object(),
        which=lambda n, path=None: None,
        read_vba=fake_vba_reader(addin_build.read_vba_modules(XLAM)),
        read_sheet=addin_build.read_config_sheet,
    )
    p = problems(env)
    assert set(p) == {"RunPython (macOS)"}
    assert p["RunPython (macOS)"].fix.startswith("xlwings runpython install")
    fs.files[script] = None
    assert problems(env) == {}
    names = [c.name for c in doctor.run_checks(env)]
    assert "xlwings DLL" not in names and "trust VBA project access" not in names


def test_linux_reports_no_excel():
    env = healthy_windows(platform="linux", home="/home/ann", executable="/usr/bin/python3", prefix="/usr")
    checks = doctor.run_checks(env)
    assert checks[0].detail.startswith("linux: no Excel here")


def test_doctor_works_without_oletools(monkeypatch):
    # Hide oletools: doctor's reader falls back to amspares' own VBA decompression.
    monkeypatch.setitem(sys.modules, "oletools", None)
    monkeypatch.setitem(sys.modules, "oletools.olevba", None)
    modules = doctor._read_vba(XLAM)
    assert addin_build.vba_constant(modules, "XLWINGS_VERSION") == VERSION


def test_parse_config_matches_vba_write_format():
    # SaveConfigToFile uses VBA's Write #, which quotes both fields.
    assert doctor.parse_config('"Interpreter_Win","C:\\P y\\pythonw.exe"\r\n"Show Console","True"\r\n') == {
        "INTERPRETER_WIN": "C:\\P y\\pythonw.exe",
        "SHOW CONSOLE": "True",
    }


# ---------------------------------------------------------------------------- CLI


def build_cli():
    parser = argparse.ArgumentParser(prog="amspares")
    sub = parser.add_subparsers(dest="command")
    addin_cmd.add_parser(sub)
    doctor_cmd.add_parser(sub)
    return parser


def test_cli_registers_addin_and_doctor():
    parser = build_cli()
    args = parser.parse_args(["addin", "status"])
    assert args.func is addin_cmd.run_addin and args.action == "status"
    assert parser.parse_args(["doctor"]).func is doctor_cmd.run_doctor
    with pytest.raises(SystemExit):
        parser.parse_args(["addin", "upgrade"])


def test_addin_refused_off_windows_and_macos():
    with pytest.raises(AmsparesError, match="needs Excel, which runs on Windows or macOS"):
        addin_cmd.run_addin(argparse.Namespace(action="install"), platform="linux")


def test_addin_calls_xlwings_cli_with_the_packaged_file():
    calls = []

    def run(cmd, **kwargs):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, stdout="Successfully installed the xlwings add-in! \n", stderr="")

    assert addin_cmd.run_addin(argparse.Namespace(action="install"), platform="win32", run=run) == 0
    (cmd,) = calls
    assert cmd[1:6] == ["-m", "xlwings.cli", "addin", "install", "--file"]
    assert Path(cmd[6]).name == "amspares.xlam" and Path(cmd[6]).is_file()


def test_xlwings_cli_accepts_the_invocation():
    # The argument layout is xlwings' own: parse it with xlwings' parser (no Excel needed for --help).
    out = subprocess.run([sys.executable, "-m", "xlwings.cli", "addin", "install", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--file" in out.stdout


def test_cli_end_to_end_exit_codes():
    env = {"PYTHONPATH": str(ROOT / "pysrc")}
    import os

    env = {**os.environ, **env}
    r = subprocess.run([sys.executable, "-m", "amspares.cli", "addin", "install"], capture_output=True, text=True, env=env)
    if sys.platform not in ("win32", "darwin"):
        assert r.returncode == 2
        assert r.stderr.strip().count("\n") == 0 and "Windows or macOS" in r.stderr
    r = subprocess.run([sys.executable, "-m", "amspares.cli", "doctor"], capture_output=True, text=True, env=env)
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr
    assert r.stdout.strip().splitlines()[-1] in ("no problems found",) or r.stdout.strip().endswith("found")
    assert (r.returncode == 0) == r.stdout.strip().endswith("no problems found")


# ------------------------------------------------ the blockers xlwings users hit most


VENV = r"C:\Users\ann\spares-venv"


def test_dll_fix_in_a_venv_points_at_scripts_pythonw():
    """pip puts the DLL in the venv root (sys.prefix); the venv's interpreter is
    Scripts\\pythonw.exe, whose parent folder the VBA searches (XLPyLoadDLL)."""
    conf = '"Interpreter_Win","C:\\Users\\ann\\AppData\\Local\\Programs\\Python\\Python311\\pythonw.exe"\n'
    env = healthy_windows(
        executable=VENV + r"\Scripts\python.exe", prefix=VENV,
        files={VENV + rf"\xlwings64-{VERSION}.dll": None, VENV + r"\Scripts\python.exe": None,
               VENV + r"\Scripts\pythonw.exe": None, USER_CONF: conf},
        remove=[PY_DIR + rf"\xlwings64-{VERSION}.dll", PY_DIR + rf"\xlwings32-{VERSION}.dll"],
    )
    c = problems(env)["xlwings DLL"]
    target = VENV + r"\Scripts\pythonw.exe"
    assert target in c.fix and VENV + r"\pythonw.exe" not in c.fix
    # following the fix: the DLL is then found
    fixed = healthy_windows(
        executable=VENV + r"\Scripts\python.exe", prefix=VENV,
        files={VENV + rf"\xlwings64-{VERSION}.dll": None, VENV + r"\Scripts\python.exe": None,
               VENV + r"\Scripts\pythonw.exe": None, USER_CONF: f'"Interpreter_Win","{target}"\n'},
        remove=[PY_DIR + rf"\xlwings64-{VERSION}.dll", PY_DIR + rf"\xlwings32-{VERSION}.dll"],
    )
    assert "xlwings DLL" not in problems(fixed) and "interpreter" not in problems(fixed)


@pytest.mark.parametrize("plat,kind", [("win32", "32-bit"), ("win-arm64", "ARM64")])
def test_32_bit_and_arm64_python_get_no_dll(plat, kind):
    c = problems(healthy_windows(python_platform=plat))["python build"]
    assert c.detail.startswith(f"{kind} Python") and "64-bit (x64) Python from python.org" in c.fix
    assert "python build" not in problems(healthy_windows(python_platform="win-amd64"))


def test_broken_pywin32_and_pythonhome_block_the_com_server():
    c = problems(healthy_windows(has_module=lambda n: n != "pythoncom"))["COM server"]
    assert "Could not activate Python COM server" in c.detail
    assert c.fix == rf'"{PY_DIR}\python.exe" -m pip install --force-reinstall pywin32'
    env = healthy_windows()
    env.env["PYTHONHOME"] = r"C:\Python27"
    assert "remove the PYTHONHOME" in problems(env)["PYTHONHOME"].fix


def test_store_excel():
    local = HOME + r"\AppData\Local"
    store = doctor.STORE_OFFICE_PACKAGE
    env = healthy_windows(listdir=lambda d: [store, "Other"] if d == local + r"\Packages" else [])
    env.env["LOCALAPPDATA"] = local
    c = problems(env)["Excel from the Microsoft Store"]
    assert rf"{local}\Packages\{store}\LocalCache\Roaming\Microsoft\Excel\XLSTART" in c.fix
    env = healthy_windows()
    env.env["LOCALAPPDATA"] = local
    assert "Excel from the Microsoft Store" not in problems(env)


@pytest.mark.parametrize("value,blocked", [(1, True), ("6", True), (2, False), (0, False), (None, False)])
def test_defender_child_process_rule(value, blocked):
    seen = []

    def reg(key, name):
        seen.append((key, name))
        return value if key == doctor.ASR_KEYS[0] else None

    p = problems(healthy_windows(registry_machine=reg))
    assert ("Defender rule" in p) == blocked
    assert (doctor.ASR_KEYS[0], "D4F940AB-401B-4EFC-AADC-AD5F3C50688A") in seen
    if blocked:
        assert "Block all Office applications from creating child processes" in p["Defender rule"].detail


def test_macos_needs_interpreter_mac():
    """Without Interpreter_Mac, Excel (through AppleScript, PATH /usr/bin:/bin:...) does not
    find a python.org or Homebrew python; following the fix clears the problem."""
    home = "/Users/ann"
    py = "/opt/homebrew/bin/python3"
    conf = f"{home}/Library/Containers/com.microsoft.Excel/Data/amspares.conf"
    files = {XLAM: None, py: None,
             f"{home}/Library/Application Scripts/com.microsoft.Excel/xlwings-{VERSION}.applescript": None,
             f"{home}/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/amspares.xlam": None}
    fs = FakeFS(files, windows=False)
    env = doctor.Environment(
        platform="darwin", python_version="3.12.1", executable=py, prefix="/opt/homebrew", home=home,
        env={"PATH": "/opt/homebrew/bin:/usr/bin"},
        versions={"amspares": "0.1.0", "xlwings": VERSION, "numpy": "2", "scipy": "1", "openpyxl": "3"},
        pinned_xlwings=VERSION, addin=XLAM, exists=fs.exists, listdir=fs.listdir, read_text=fs.read_text,
        import_module=lambda n: object(), which=lambda n, path=None: py,
        read_vba=fake_vba_reader(addin_build.read_vba_modules(XLAM)), read_sheet=addin_build.read_config_sheet,
    )
    c = problems(env)["interpreter"]
    assert "Interpreter_Mac" in c.detail
    assert c.fix.startswith(f'put the line "Interpreter_Mac","{py}" in {conf}')
    fs.files[conf] = f'"Interpreter_Mac","{py}"\n'
    assert problems(env) == {}


def test_settings_left_in_the_quickstart_named_file():
    old = HOME + r"\.myaddin\myaddin.conf"
    c = problems(healthy_windows(files={old: '"Interpreter_Win","x"\n'}))["config: old settings file"]
    assert c.fix == rf"move {old} to {USER_CONF}"
    both = healthy_windows(files={old: "", USER_CONF: ""})
    assert "config: old settings file" not in problems(both)

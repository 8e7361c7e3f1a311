"""``amspares doctor``: what a support person needs to know about an Excel installation.

Every check is a pure function of an :class:`Environment` (platform, paths, environment
variables, and small callables to look at files, import modules and read the registry),
so tests can drive it with fake Windows or macOS machines.  :meth:`Environment.current`
fills one in from the running system.

What the add-in's VBA (xlwings 0.37.8, unchanged in ``amspares.xlam``) does, and so what
is checked here:

* RunMain runs ``RunPython "import amspares;amspares.main()"``; UDFs start Python through
  ``xlwings64-<version>.dll`` / ``xlwings32-<version>.dll``.
* Settings are looked up per key, first hit wins: a ``amspares.conf`` sheet in the active
  workbook, the add-in's own ``amspares.conf`` sheet (only ``UDF Modules``), a
  ``amspares.conf`` file next to the active workbook, then the user file
  ``%USERPROFILE%\\.amspares\\amspares.conf`` (macOS:
  ``~/Library/Containers/com.microsoft.Excel/Data/amspares.conf``).  The VBA constant
  ``PROJECT_NAME`` is ``"amspares"``; the add-in does *not* read ``~/.xlwings/xlwings.conf``
  (only xlwings' Python side does, for OneDrive/SharePoint and licence keys).
* Without an interpreter setting, RunPython runs ``python`` and UDFs ``pythonw`` from PATH,
  and Windows finds the DLL through its DLL search path (PATH).  With ``Interpreter_Win``
  set, the VBA loads the DLL from the interpreter's folder or its parent (virtualenvs).
  pip puts the DLLs in ``sys.prefix`` (next to python.exe; the root of a virtualenv).
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import platform as _platform
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Callable, Mapping, Sequence

#: Packages whose versions are reported.
PACKAGES = ("amspares", "xlwings", "numpy", "scipy", "openpyxl")
#: The add-in's VBA reads settings named after this (``Public Const PROJECT_NAME``).
DEFAULT_PROJECT_NAME = "amspares"
#: Setting keys that select the Python interpreter (upper case, as the VBA compares them).
INTERPRETER_KEYS = {"win32": ("INTERPRETER_WIN", "INTERPRETER"), "darwin": ("INTERPRETER_MAC", "INTERPRETER")}
#: Environment variables that change what happens when Excel starts Python.
ENV_VARS = (
    "PYTHONPATH",
    "PYTHONHOME",
    "CONDA_DEFAULT_ENV",
    "CONDA_EXE",
    "VIRTUAL_ENV",
    "OneDrive",
    "OneDriveConsumer",
    "OneDriveCommercial",
    "XLWINGS_LICENSE_KEY",
)
SECRET_ENV_VARS = {"XLWINGS_LICENSE_KEY"}
#: The Office registry key with the Trust Center settings (Office 2016 and later).
OFFICE_SECURITY_KEY = r"Software\Microsoft\Office\16.0\Excel\Security"
STORE_PYTHON_MARKER = "\\WindowsApps\\"


@dataclass(frozen=True)
class Check:
    """One finding of ``amspares doctor``.

    Parameters
    ----------
    name : str
        Short topic, e.g. ``"xlwings DLL"``.
    ok : bool
        False when the finding is a problem.
    detail : str
        What was found (one line).
    fix : str
        For a problem, the one-line fix; empty when ``ok``.
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _no_registry(_key: str, _name: str):
    return None


def _read_text(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


@dataclass
class Environment:
    """Everything doctor looks at.  Paths are strings in the platform's own syntax.

    Parameters
    ----------
    platform : str
        ``sys.platform`` style: ``"win32"``, ``"darwin"``, ``"linux"``.
    python_version : str
        e.g. ``"3.11.7"``.
    executable : str
        The Python running amspares (``sys.executable``).
    prefix : str
        ``sys.prefix``; pip installs xlwings' DLLs there on Windows.
    home : str
        The user's home folder (``%USERPROFILE%`` on Windows).
    env : mapping
        Environment variables.
    versions : mapping
        Installed version of each of :data:`PACKAGES` (None if missing).
    pinned_xlwings : str or None
        The xlwings version amspares pins.
    addin : str or None
        The add-in file shipped with amspares.
    appdata : str or None
        ``%APPDATA%`` (Windows); the user's XLSTART folder is under it.
    workbook : str or None
        A workbook to check (its folder's config file, OneDrive/SharePoint).
    exists, listdir, read_text : callables
        File system access.
    import_module : callable
        ``importlib.import_module`` or a fake.
    which : callable
        ``shutil.which(name, path=PATH)`` or a fake.
    read_vba : callable
        Path of an add-in -> {module: VBA code}.
    read_sheet : callable
        (add-in path, sheet name) -> settings of that sheet or None.
    registry : callable
        (key under HKEY_CURRENT_USER, value name) -> value or None.
    registry_machine : callable
        The same under HKEY_LOCAL_MACHINE (Defender's policies).
    python_platform : str
        ``sysconfig.get_platform()`` of the Python running amspares: ``"win-amd64"``,
        ``"win32"`` (32-bit), ``"win-arm64"``, ...; empty when unknown.
    has_module : callable or None
        Name -> whether that module can be imported by this Python (without importing
        it); None skips the checks that need it.
    """

    platform: str
    python_version: str
    executable: str
    prefix: str
    home: str
    env: Mapping[str, str] = field(default_factory=dict)
    versions: Mapping[str, str | None] = field(default_factory=dict)
    pinned_xlwings: str | None = None
    addin: str | None = None
    appdata: str | None = None
    workbook: str | None = None
    exists: Callable[[str], bool] = os.path.isfile
    listdir: Callable[[str], list[str]] = _listdir
    read_text: Callable[[str], str | None] = _read_text
    import_module: Callable[[str], object] = importlib.import_module
    which: Callable[..., str | None] = shutil.which
    read_vba: Callable[[str], dict] | None = None
    read_sheet: Callable[[str, str], dict | None] | None = None
    registry: Callable[[str, str], object] = _no_registry
    registry_machine: Callable[[str, str], object] = _no_registry
    python_platform: str = ""
    has_module: Callable[[str], bool] | None = None

    @property
    def path(self):
        """The pure path class of the platform (Windows paths are checked on any OS)."""
        return PureWindowsPath if self.platform == "win32" else PurePosixPath

    @classmethod
    def current(cls, workbook: str | None = None) -> "Environment":
        """The environment of the running system."""
        from importlib import metadata

        from amspares.excel import addin_build

        versions = {}
        for name in PACKAGES:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = None
        if versions.get("amspares") is None:
            import amspares

            versions["amspares"] = f"{amspares.__version__} (not installed; from {Path(amspares.__file__).parent})"
        addin = addin_build.find_xlam()
        registry = _winreg_reader() if sys.platform == "win32" else _no_registry
        registry_machine = _winreg_reader(machine=True) if sys.platform == "win32" else _no_registry
        import importlib.util
        import sysconfig

        def has_module(name: str) -> bool:
            try:
                return importlib.util.find_spec(name) is not None
            except (ImportError, ValueError):
                return False
        return cls(
            platform=sys.platform,
            python_version=_platform.python_version(),
            executable=sys.executable,
            prefix=sys.prefix,
            home=str(Path.home()),
            env=dict(os.environ),
            versions=versions,
            pinned_xlwings=pinned_xlwings(),
            addin=str(addin) if addin else None,
            appdata=os.environ.get("APPDATA"),
            workbook=str(Path(workbook).resolve()) if workbook and "://" not in workbook else workbook,
            read_vba=_read_vba,
            read_sheet=lambda p, s: addin_build.read_config_sheet(p, s),
            registry=registry,
            registry_machine=registry_machine,
            python_platform=sysconfig.get_platform(),
            has_module=has_module,
        )


def _read_vba(path: str) -> dict:
    """VBA modules of an add-in: oletools if importable, else amspares' own reader."""
    from amspares.excel import addin_build

    try:
        return addin_build.read_vba_modules_olevba(path)
    except ImportError:
        return addin_build.read_vba_modules(path)


def _winreg_reader(machine: bool = False):  # pragma: no cover - Windows only
    import winreg

    hive = winreg.HKEY_LOCAL_MACHINE if machine else winreg.HKEY_CURRENT_USER

    def read(key: str, name: str):
        try:
            with winreg.OpenKey(hive, key) as k:
                return winreg.QueryValueEx(k, name)[0]
        except OSError:
            return None

    return read


def pinned_xlwings() -> str | None:
    """The ``xlwings==X`` pin of the installed amspares (or of the checkout's pyproject)."""
    from importlib import metadata

    reqs: Sequence[str] = ()
    try:
        reqs = metadata.requires("amspares") or ()
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        if pyproject.is_file():
            import tomllib

            reqs = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    for req in reqs:
        m = re.match(r"\s*xlwings\s*==\s*([\w.]+)", req)
        if m:
            return m.group(1)
    return None


# --------------------------------------------------------------------------------------
# Config files
# --------------------------------------------------------------------------------------


def parse_config(text: str) -> dict[str, str]:
    """Parse an xlwings-style config file (``"KEY","value"`` per line) into {KEY: value}.

    Keys are upper-cased, as the VBA compares them case-insensitively.

    >>> parse_config('"Interpreter_Win","C:\\\\Python311\\\\pythonw.exe"\\n"UDF Modules",""\\n')
    {'INTERPRETER_WIN': 'C:\\\\Python311\\\\pythonw.exe', 'UDF MODULES': ''}
    """
    out = {}
    for row in csv.reader(io.StringIO(text), skipinitialspace=True):
        if row and row[0].strip():
            out[row[0].strip().upper()] = row[1] if len(row) > 1 else ""
    return out


@dataclass(frozen=True)
class ConfigSource:
    """A place settings come from, in the VBA's lookup order."""

    label: str
    path: str | None
    settings: dict[str, str] | None  # None: the file/sheet does not exist


def project_name(env: Environment) -> str:
    """``PROJECT_NAME`` of the add-in's VBA (``amspares`` for xlwings 0.37.8's quickstart)."""
    from amspares.excel.addin_build import vba_constant

    modules = _addin_vba(env)
    return (vba_constant(modules, "PROJECT_NAME") if modules else None) or DEFAULT_PROJECT_NAME


def _addin_vba(env: Environment) -> dict | None:
    if not env.addin or env.read_vba is None:
        return None
    try:
        return env.read_vba(env.addin)
    except Exception:  # a corrupt file is reported by check_addin_vba
        return None


def user_config_path(env: Environment, project: str) -> str:
    """The per-user config file the VBA reads (``GetConfigFilePath`` in the VBA)."""
    P = env.path
    if env.platform == "darwin":
        return str(P(env.home) / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / f"{project}.conf")
    return str(P(env.home) / f".{project}" / f"{project}.conf")


def config_sources(env: Environment) -> list[ConfigSource]:
    """Where the add-in's settings come from, in lookup order (first hit wins per key)."""
    project = project_name(env)
    P = env.path
    sources = []
    sheet = None
    if env.addin and env.read_sheet is not None:
        try:
            sheet = env.read_sheet(env.addin, f"{project}.conf")
        except Exception:
            sheet = None
    sources.append(
        ConfigSource(
            f"add-in sheet {project}.conf",
            env.addin,
            {k.upper(): v for k, v in sheet.items()} if sheet is not None else None,
        )
    )
    if env.workbook and "://" not in env.workbook:
        wb_conf = str(P(env.workbook).parent / f"{project}.conf")
        text = env.read_text(wb_conf) if env.exists(wb_conf) else None
        sources.append(ConfigSource("workbook folder file", wb_conf, parse_config(text) if text is not None else None))
    user = user_config_path(env, project)
    text = env.read_text(user) if env.exists(user) else None
    sources.append(ConfigSource("user file", user, parse_config(text) if text is not None else None))
    return sources


def effective_settings(sources: Sequence[ConfigSource]) -> dict[str, tuple[str, str]]:
    """{KEY: (value, source label)} as the VBA resolves them (first source wins)."""
    out: dict[str, tuple[str, str]] = {}
    for src in sources:
        for key, value in (src.settings or {}).items():
            out.setdefault(key, (value, src.label))
    return out


def _expand(value: str, env: Environment) -> str:
    """Expand ``%VAR%`` (Windows) or ``$VAR`` like the VBA's ExpandEnvironmentStrings."""
    if env.platform == "win32":
        lowered = {k.lower(): v for k, v in env.env.items()}
        return re.sub(r"%([^%]+)%", lambda m: lowered.get(m.group(1).lower(), m.group(0)), value)
    return re.sub(r"\$(\w+)|\$\{(\w+)\}", lambda m: env.env.get(m.group(1) or m.group(2), m.group(0)), value)


#: The settings name of xlwings' quickstart add-in, which amspares used before it was renamed.
OLD_PROJECT_NAME = "myaddin"


def check_old_settings(env: Environment) -> list[Check]:
    """Settings left in the quickstart-named user file are no longer read."""
    if env.platform not in ("win32", "darwin"):
        return []
    old = user_config_path(env, OLD_PROJECT_NAME)
    new = user_config_path(env, project_name(env))
    if old == new or not env.exists(old) or env.exists(new):
        return []
    return [
        Check(
            "config: old settings file",
            False,
            f"{old} is not read any more: the add-in's settings are now named {project_name(env)}",
            f"move {old} to {new}",
        )
    ]


def check_config(env: Environment) -> list[Check]:
    """Report which config sources exist, what they set, and settings that cannot work."""
    checks = []
    sources = config_sources(env)
    project = project_name(env)
    for src in sources:
        if src.settings is None:
            where = f" ({src.path})" if src.path else ""
            checks.append(Check(f"config: {src.label}", True, f"none{where}"))
        else:
            shown = ", ".join(f"{k}={v!r}" for k, v in src.settings.items()) or "no settings"
            checks.append(Check(f"config: {src.label}", True, f"{src.path}: {shown}"))
    effective = effective_settings(sources)
    udf = effective.get("UDF MODULES", ("", ""))[0]
    if udf != "amspares.udfs":
        checks.append(
            Check(
                "config: UDF Modules",
                False,
                f"UDF Modules is {udf!r}, so Import Functions would not load the amspares functions",
                f'set "UDF Modules","amspares.udfs" (or delete the line) in {effective.get("UDF MODULES", ("", "the config"))[1]}',
            )
        )
    # xlwings' own files that users edit by habit but the add-in's VBA never reads.
    P = env.path
    xl_user = str(P(env.home) / ".xlwings" / "xlwings.conf")
    text = env.read_text(xl_user) if env.exists(xl_user) else None
    if text is not None:
        xl = parse_config(text)
        shown = ", ".join(f"{k}={v!r}" for k, v in xl.items() if k != "LICENSE_KEY") or "no settings"
        checks.append(Check("config: xlwings user file", True, f"{xl_user}: {shown} (read by xlwings' Python side only)"))
        ignored = [k for k in xl if k in {"INTERPRETER", "INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH", "CONDA PATH", "CONDA ENV"} and k not in effective]
        if ignored:
            checks.append(
                Check(
                    "config: ignored settings",
                    False,
                    f"{xl_user} sets {', '.join(ignored)}, but the amspares add-in reads {project}.conf files, not xlwings.conf",
                    f"copy those lines into {user_config_path(env, project)}",
                )
            )
    present = []
    for name in ENV_VARS:
        value = env.env.get(name)
        if value:
            present.append(f"{name}=<set>" if name in SECRET_ENV_VARS else f"{name}={value}")
    checks.append(Check("environment variables", True, "; ".join(present) if present else "none of " + ", ".join(ENV_VARS)))
    return checks


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------


def check_python(env: Environment) -> list[Check]:
    """Python version and where it comes from."""
    checks = []
    major_minor = tuple(int(x) for x in env.python_version.split(".")[:2])
    if major_minor < (3, 11):
        checks.append(Check("python", False, f"Python {env.python_version} at {env.executable}", "install Python 3.11 or later from python.org"))
    else:
        checks.append(Check("python", True, f"Python {env.python_version} at {env.executable}"))
    if env.platform == "win32" and STORE_PYTHON_MARKER.lower() in env.executable.lower():
        checks.append(
            Check(
                "python source",
                False,
                "this is the Microsoft Store Python; Excel cannot load the xlwings DLL from its sandboxed folder",
                "install Python from python.org (tick 'Add python.exe to PATH'), then install the amspares wheel there (docs/install-windows.md)",
            )
        )
    return checks


def check_packages(env: Environment) -> list[Check]:
    """Versions of amspares and its dependencies; xlwings must equal the pin."""
    checks = []
    for name in PACKAGES:
        version = env.versions.get(name)
        if version is None:
            checks.append(Check(f"package {name}", False, "not installed", f"python -m pip install --force-reinstall <the amspares wheel> (installs {name})"))
        elif name == "xlwings" and env.pinned_xlwings and version != env.pinned_xlwings:
            checks.append(
                Check(
                    "package xlwings",
                    False,
                    f"{version}, but amspares pins xlwings=={env.pinned_xlwings}",
                    f'pip install "xlwings=={env.pinned_xlwings}"',
                )
            )
        else:
            checks.append(Check(f"package {name}", True, version))
    return checks


def check_addin_vba(env: Environment) -> list[Check]:
    """The shipped add-in exists and its VBA carries the installed xlwings version."""
    from amspares.excel.addin_build import vba_constant

    if not env.addin or not env.exists(env.addin):
        return [
            Check(
                "add-in file",
                False,
                "amspares.xlam not found in the package or the checkout",
                "python -m pip install --force-reinstall <the amspares wheel> (in a checkout: python xlam/build_xlam.py)",
            )
        ]
    checks = [Check("add-in file", True, env.addin)]
    try:
        modules = env.read_vba(env.addin) if env.read_vba else {}
    except Exception as exc:
        return checks + [Check("add-in VBA", False, f"cannot read the VBA of {env.addin}: {exc}", "python -m pip install --force-reinstall <the amspares wheel>")]
    vba_version = vba_constant(modules, "XLWINGS_VERSION")
    xlwings = env.versions.get("xlwings")
    if vba_version is None:
        checks.append(Check("add-in VBA", False, "no XLWINGS_VERSION constant in the add-in's VBA", "python -m pip install --force-reinstall <the amspares wheel>"))
    elif xlwings != vba_version:
        checks.append(
            Check(
                "add-in VBA version",
                False,
                f"add-in VBA is xlwings {vba_version}, Python has xlwings {xlwings}",
                f'pip install "xlwings=={vba_version}"',
            )
        )
    else:
        checks.append(Check("add-in VBA version", True, f"xlwings {vba_version} in the VBA and in Python"))
    return checks


def xlstart_dir(env: Environment) -> str | None:
    """The user's Excel startup folder that ``xlwings addin install`` copies to (default location)."""
    P = env.path
    if env.platform == "win32":
        appdata = env.appdata or str(P(env.home) / "AppData" / "Roaming")
        return str(P(appdata) / "Microsoft" / "Excel" / "XLSTART")
    if env.platform == "darwin":
        return str(
            P(env.home) / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized" / "Startup.localized" / "Excel"
        )
    return None


def _installed_vba(env: Environment) -> dict | None:
    """VBA modules of the add-in in XLSTART, or None when there is none or it is unreadable."""
    folder = xlstart_dir(env)
    if folder is None or env.read_vba is None:
        return None
    installed = str(env.path(folder) / "amspares.xlam")
    if not env.exists(installed):
        return None
    try:
        return env.read_vba(installed)
    except Exception:  # reported by check_installed_addin
        return None


def check_installed_addin(env: Environment) -> list[Check]:
    """Is the add-in in XLSTART, unblocked, of the right version, with the functions imported?"""
    from amspares.excel.addin_build import vba_constant

    folder = xlstart_dir(env)
    if folder is None:
        return []
    installed = str(env.path(folder) / "amspares.xlam")
    if not env.exists(installed):
        return [Check("installed add-in", False, f"not in {folder}", "amspares addin install")]
    checks = [Check("installed add-in", True, installed)]
    if env.platform == "win32" and env.exists(installed + ":Zone.Identifier"):
        checks.append(
            Check(
                "installed add-in blocked",
                False,
                "the file carries the 'downloaded from the internet' mark, so Excel blocks its macros",
                f"right-click {installed} > Properties > tick Unblock > OK (or PowerShell: Unblock-File '{installed}')",
            )
        )
    try:
        modules = env.read_vba(installed) if env.read_vba else {}
    except Exception as exc:
        return checks + [Check("installed add-in VBA", False, f"cannot read its VBA: {exc}", "amspares addin install")]
    version = vba_constant(modules, "XLWINGS_VERSION")
    xlwings = env.versions.get("xlwings")
    if version != xlwings:
        checks.append(
            Check(
                "installed add-in version",
                False,
                f"installed add-in is xlwings {version}, Python has xlwings {xlwings} (an upgrade left the old add-in)",
                "quit Excel, run amspares addin install, then Import Functions again",
            )
        )
    else:
        checks.append(Check("installed add-in version", True, f"xlwings {version}"))
    if env.platform == "win32":
        if "xlwings_udfs" in modules:
            checks.append(Check("Excel functions", True, "imported into the installed add-in (VBA module xlwings_udfs)"))
        else:
            checks.append(
                Check(
                    "Excel functions",
                    False,
                    "the installed add-in has no worksheet functions (no VBA module xlwings_udfs): it is older than this amspares",
                    "quit Excel, run amspares addin install, start Excel (fallback: Alt+F11, open the xlwings module of amspares.xlam, run ImportPythonUDFsToAddin (F5), then save the add-in)",
                )
            )
    return checks


def check_runpython_mac(env: Environment) -> list[Check]:
    """macOS: RunPython needs xlwings' AppleScript in Excel's script folder."""
    if env.platform != "darwin":
        return []
    version = env.versions.get("xlwings")
    script = str(env.path(env.home) / "Library" / "Application Scripts" / "com.microsoft.Excel" / f"xlwings-{version}.applescript")
    if env.exists(script):
        return [Check("RunPython (macOS)", True, script)]
    return [Check("RunPython (macOS)", False, f"{script} is missing", "xlwings runpython install (amspares addin install does it too)")]


def _same_python_dir(a: str, b: str, env: Environment) -> bool:
    P = env.path
    norm = (lambda s: s.lower()) if env.platform == "win32" else (lambda s: s)
    return norm(str(P(a).parent)) == norm(str(P(b).parent))


def resolve_interpreter(env: Environment) -> tuple[str | None, str, str]:
    """(interpreter path or None, how it was chosen, config key or "").

    Mirrors the VBA: ``Interpreter_Win``/``_Mac``, else legacy ``Interpreter``, else
    Conda settings (Windows), else ``python``/``pythonw`` from PATH.
    """
    effective = effective_settings(config_sources(env))
    for key in INTERPRETER_KEYS.get(env.platform, ()):
        value = effective.get(key, ("", ""))[0]
        if value:
            return _expand(value, env), f"{key} from the {effective[key][1]}", key
    if env.platform == "win32":
        conda_path = _expand(effective.get("CONDA PATH", ("", ""))[0], env)
        conda_env = effective.get("CONDA ENV", ("", ""))[0]
        if conda_path and conda_env:
            P = env.path
            if conda_env == "base":
                base = P(conda_path)
            elif "\\" in conda_env:
                base = P(conda_env)
            else:
                base = P(conda_path) / "envs" / conda_env
            return str(base / "pythonw.exe"), f"Conda Path/Conda Env ({conda_env})", "CONDA ENV"
    name = "python.exe" if env.platform == "win32" else "python"
    found = env.which(name, path=env.env.get("PATH", env.env.get("Path", "")))
    return found, "python on PATH (no interpreter setting)", ""


def check_interpreter(env: Environment) -> list[Check]:
    """The Python that Excel will start exists, is not the Store alias, and has amspares."""
    if env.platform not in ("win32", "darwin"):
        return []
    project = project_name(env)
    key_name = "Interpreter_Win" if env.platform == "win32" else "Interpreter_Mac"
    this = env.executable
    fix_set = f'put the line "{key_name}","{this}" in {user_config_path(env, project)} (replacing any {key_name} line)'
    interp, how, key = resolve_interpreter(env)
    if env.platform == "darwin" and not key:
        # Excel starts Python through AppleScript, whose PATH is /usr/bin:/bin:/usr/sbin:/sbin:
        # a python.org or Homebrew python on the user's PATH is not found there.
        return [Check("interpreter", False, "no Interpreter_Mac setting: Excel on macOS does not see the python on your shell's PATH", fix_set)]
    if interp is None:
        return [Check("interpreter", False, "no interpreter setting and no python on PATH: Excel cannot start Python", fix_set)]
    if key and not env.exists(interp):
        return [Check("interpreter", False, f"{interp} ({how}) does not exist: Excel says 'Could not find Interpreter!'", fix_set)]
    if env.platform == "win32" and STORE_PYTHON_MARKER.lower() in interp.lower():
        return [Check("interpreter", False, f"{interp} ({how}) is the Microsoft Store alias", fix_set)]
    if not _same_python_dir(interp, this, env):
        return [
            Check(
                "interpreter",
                False,
                f"Excel would start {interp} ({how}), but amspares is installed for {this}",
                fix_set,
            )
        ]
    return [Check("interpreter", True, f"{interp} ({how})")]


def dll_search_dirs(env: Environment, interpreter: str | None, configured: bool) -> list[str]:
    """Folders the VBA loads ``xlwings64-<v>.dll`` from.

    With an interpreter setting: its folder and that folder's parent (``XLPyLoadDLL``).
    Without: Windows' DLL search, i.e. the folders on PATH.
    """
    P = env.path
    if configured and interpreter:
        return [str(P(interpreter).parent), str(P(interpreter).parent.parent)]
    path = env.env.get("PATH", env.env.get("Path", ""))
    return [d for d in path.split(";") if d]


def check_dll(env: Environment) -> list[Check]:
    """Windows: the versioned xlwings DLL is where the VBA looks for it."""
    if env.platform != "win32":
        return []
    from amspares.excel.addin_build import vba_constant

    modules = _addin_vba(env) or {}
    version = vba_constant(modules, "XLWINGS_VERSION") or env.versions.get("xlwings")
    names = [f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"]
    interp, _how, key = resolve_interpreter(env)
    dirs = dll_search_dirs(env, interp, bool(key))
    P = env.path
    for d in dirs:
        for n in names:
            if env.exists(str(P(d) / n)):
                return [Check("xlwings DLL", True, f"{P(d) / n} (where the VBA looks)")]
    # Not found where the VBA looks: say where it is, or which other versions exist.
    where = "the interpreter's folder or its parent" if key else "any folder on PATH"
    at_prefix = [n for n in names if env.exists(str(P(env.prefix) / n))]
    if at_prefix:
        detail = f"{at_prefix[0]} is in {env.prefix}, but the VBA looks in {where}"
        pythonw = pythonw_path(env)
        if key:
            fix = f'point {key} at the python of {env.prefix}: "{pythonw}"'
        else:
            fix = f"add {env.prefix} to PATH, or set Interpreter_Win to {pythonw}"
        return [Check("xlwings DLL", False, detail, fix)]
    others = sorted({f for d in [*dirs, env.prefix] for f in env.listdir(d) if re.match(r"xlwings(32|64)-.*\.dll$", f, re.I)})
    if others:
        return [
            Check(
                "xlwings DLL",
                False,
                f"VBA needs {names[0]}, found only {', '.join(others)}: DLL/version mismatch",
                f'pip install "xlwings=={version}" into the Python Excel uses, then amspares addin install',
            )
        ]
    return [Check("xlwings DLL", False, f"{names[0]} not found in {where} nor in {env.prefix}", f'pip install --force-reinstall "xlwings=={version}"')]


def pythonw_path(env: Environment) -> str:
    """``pythonw.exe`` beside the running ``python.exe``: ``<python folder>\\pythonw.exe``
    for a python.org install, ``<venv>\\Scripts\\pythonw.exe`` in a virtual environment
    (the VBA then finds the DLL in the parent folder, the venv, where pip put it)."""
    return str(env.path(env.executable).parent / "pythonw.exe")


#: Defender attack-surface-reduction rule "Block all Office applications from creating
#: child processes" (Microsoft's ASR rule reference); Excel cannot start Python under it.
ASR_CHILD_PROCESS_RULE = "D4F940AB-401B-4EFC-AADC-AD5F3C50688A"
ASR_KEYS = (
    r"SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules",
    r"SOFTWARE\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules",
)
#: Rule states: 0 off, 1 block, 2 audit, 6 warn.
ASR_BLOCKING = {"1": "block", "6": "warn"}
#: The package folder of Excel installed from the Microsoft Store.
STORE_OFFICE_PACKAGE = "Microsoft.Office.Desktop_8wekyb3d8bbwe"


def check_python_build(env: Environment) -> list[Check]:
    """Windows: xlwings ships its DLLs only in the 64-bit x86 (win_amd64) wheel."""
    if env.platform != "win32" or not env.python_platform:
        return []
    plat = env.python_platform.lower()
    if plat == "win-amd64":
        return [Check("python build", True, "64-bit (x64): gets xlwings' DLLs")]
    kind = {"win32": "32-bit", "win-arm64": "ARM64"}.get(plat, plat)
    return [
        Check(
            "python build",
            False,
            f"{kind} Python: xlwings' package for it has no xlwings DLL, so Excel's functions and Run scenario cannot start Python",
            "install the 64-bit (x64) Python from python.org (on an ARM PC it runs emulated), then install amspares into it",
        )
    ]


def check_com_server(env: Environment) -> list[Check]:
    """Windows: the functions run in a Python COM server, which needs pywin32 working."""
    if env.platform != "win32" or env.has_module is None:
        return []
    missing = [m for m in ("pythoncom", "pywintypes", "win32com") if not env.has_module(m)]
    checks = []
    if missing:
        checks.append(
            Check(
                "COM server",
                False,
                f"pywin32 is broken here ({', '.join(missing)} missing): Excel says 'Could not activate Python COM server'",
                f'"{env.executable}" -m pip install --force-reinstall pywin32',
            )
        )
    else:
        checks.append(Check("COM server", True, "pywin32 importable"))
    if env.env.get("PYTHONHOME"):
        checks.append(
            Check(
                "PYTHONHOME",
                False,
                f"PYTHONHOME={env.env['PYTHONHOME']} makes the Python Excel starts look for its library elsewhere (COM server activation fails)",
                "remove the PYTHONHOME environment variable (Windows Settings > 'Edit environment variables for your account'), then restart Excel",
            )
        )
    return checks


def check_store_excel(env: Environment) -> list[Check]:
    """Windows: Excel from the Microsoft Store reads add-ins from its own XLSTART."""
    local = env.env.get("LOCALAPPDATA")
    if env.platform != "win32" or not local:
        return []
    packages = str(env.path(local) / "Packages")
    if STORE_OFFICE_PACKAGE.lower() not in {n.lower() for n in env.listdir(packages)}:
        return []
    store_xlstart = env.path(packages) / STORE_OFFICE_PACKAGE / "LocalCache" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    return [
        Check(
            "Excel from the Microsoft Store",
            False,
            "this Excel runs in a Store container: it does not see the XLSTART folder amspares addin install writes to",
            f"install Office from office.com instead, or copy amspares.xlam into {store_xlstart}",
        )
    ]


def check_defender_asr(env: Environment) -> list[Check]:
    """Windows: Defender's rule that stops Office from starting other programs."""
    if env.platform != "win32":
        return []
    for key in ASR_KEYS:
        value = env.registry_machine(key, ASR_CHILD_PROCESS_RULE)
        if value is None:
            continue
        state = ASR_BLOCKING.get(str(value).strip())
        if state:
            return [
                Check(
                    "Defender rule",
                    False,
                    f"'Block all Office applications from creating child processes' is on ({state}): Excel cannot start Python",
                    f"ask IT to exclude python.exe and pythonw.exe from attack surface reduction rule {ASR_CHILD_PROCESS_RULE} (or turn it to audit)",
                )
            ]
        return [Check("Defender rule", True, f"child-process rule state {value} (not blocking)")]
    return [Check("Defender rule", True, "child-process rule not set by local policy (a rule pushed by Intune is not visible here)")]


def check_udfs(env: Environment) -> list[Check]:
    """The UDF module named in the add-in's config imports."""
    try:
        env.import_module("amspares.udfs")
    except ModuleNotFoundError as exc:
        if exc.name == "amspares.udfs":
            return [
                Check(
                    "amspares.udfs",
                    False,
                    "module amspares.udfs does not exist in this amspares",
                    "install an amspares wheel that has the Excel functions (see docs/install-windows.md)",
                )
            ]
        return [Check("amspares.udfs", False, f"import fails: {exc}", f"pip install {exc.name or 'amspares'}")]
    except Exception as exc:  # any error while importing is a problem to report, not to raise
        first = (str(exc).splitlines() or [""])[0]
        return [Check("amspares.udfs", False, f"import fails: {type(exc).__name__}: {first}", "python -m pip install --force-reinstall <the amspares wheel>")]
    return [Check("amspares.udfs", True, "imports")]


def check_cloud_paths(env: Environment) -> list[Check]:
    """A workbook on OneDrive/SharePoint needs its local folder configured."""
    if not env.workbook:
        return []
    wb = env.workbook
    roots = [env.env.get(v) for v in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial") if env.env.get(v)]
    norm = (lambda s: s.lower()) if env.platform == "win32" else (lambda s: s)
    on_cloud = "://" in wb or any(norm(wb).startswith(norm(r)) for r in roots)
    if not on_cloud:
        return [Check("workbook location", True, f"{wb} (local)")]
    effective = effective_settings(config_sources(env))
    suffix = "WIN" if env.platform == "win32" else "MAC"
    keys = [f"ONEDRIVE_CONSUMER_{suffix}", f"ONEDRIVE_COMMERCIAL_{suffix}", f"SHAREPOINT_{suffix}"]
    if any(effective.get(k, ("", ""))[0] for k in keys):
        return [Check("workbook location", True, f"{wb} (OneDrive/SharePoint, local folder configured)")]
    return [
        Check(
            "workbook location",
            False,
            f"{wb} is on OneDrive/SharePoint; its folder's {project_name(env)}.conf is ignored and file paths may not resolve",
            f"set {keys[0]} / {keys[1]} / {keys[2]} to the local sync folder in {user_config_path(env, project_name(env))}, or copy the workbook to a local folder",
        )
    ]


def check_trust_center(env: Environment) -> list[Check]:
    """Windows: macros allowed; VBA project access trusted only where the fallback import
    is needed (an installed add-in without the functions)."""
    if env.platform != "win32":
        return []
    checks = []
    access = env.registry(OFFICE_SECURITY_KEY, "AccessVBOM")
    installed = _installed_vba(env)
    if access == 1:
        checks.append(Check("trust VBA project access", True, "on"))
    elif installed is None or "xlwings_udfs" in installed:
        checks.append(Check("trust VBA project access", True, "off (not needed: the add-in carries the functions)"))
    else:
        checks.append(
            Check(
                "trust VBA project access",
                False,
                "off: Import Functions cannot write the function declarations into the add-in",
                "Excel > File > Options > Trust Center > Trust Center Settings > Macro Settings > tick 'Trust access to the VBA project object model'",
            )
        )
    warnings = env.registry(OFFICE_SECURITY_KEY, "VBAWarnings")
    if warnings == 4:
        checks.append(
            Check(
                "macro settings",
                False,
                "'Disable all macros without notification': the ribbon button and the functions cannot run",
                "Trust Center > Macro Settings > 'Disable all macros with notification' (or add the XLSTART folder as a Trusted Location)",
            )
        )
    else:
        checks.append(Check("macro settings", True, f"VBAWarnings={warnings}" if warnings is not None else "default"))
    return checks


def check_platform(env: Environment) -> list[Check]:
    """Excel add-ins exist on Windows and macOS only."""
    if env.platform in ("win32", "darwin"):
        return [Check("platform", True, env.platform)]
    return [Check("platform", True, f"{env.platform}: no Excel here; add-in checks limited to the files")]


def run_checks(env: Environment) -> list[Check]:
    """Every check, in the order they are printed."""
    checks: list[Check] = []
    for fn in (
        check_platform,
        check_python,
        check_python_build,
        check_store_excel,
        check_defender_asr,
        check_com_server,
        check_packages,
        check_addin_vba,
        check_installed_addin,
        check_runpython_mac,
        check_trust_center,
        check_interpreter,
        check_dll,
        check_udfs,
        check_config,
        check_old_settings,
        check_cloud_paths,
    ):
        checks.extend(fn(env))
    return checks


def format_checks(checks: Sequence[Check]) -> str:
    """The report: one line per check, a ``fix:`` line under each problem, then a summary."""
    lines = []
    for c in checks:
        lines.append(f"{'ok' if c.ok else 'PROBLEM':8} {c.name}: {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"{'':8}   fix: {c.fix}")
    problems = sum(not c.ok for c in checks)
    lines.append("no problems found" if not problems else f"{problems} problem{'s' if problems != 1 else ''} found")
    return "\n".join(lines)


def exit_code(checks: Sequence[Check]) -> int:
    """0 when every check is ok, 1 otherwise."""
    return 0 if all(c.ok for c in checks) else 1

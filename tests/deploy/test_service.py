"""Server operation files of deploy/: the systemd units and timer, the crontab alternative, log
rotation, the environment file and the install script, checked with the real tools
(systemd-analyze, logrotate, flock) on copies installed into temporary directories."""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import pathlib
import re
import shlex
import subprocess

import pytest

from tests.crawler.conftest import NIANBAO

REPO = pathlib.Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = ["nianbao-crawl.service", "nianbao-crawl.timer", "nianbao-reparse.service"]


def run(*args: str | pathlib.Path, env: dict[str, str] | None = None, check: bool = True
        ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """deploy/install.sh into a staging root, as it installs on a server."""
    root = tmp_path_factory.mktemp("root")
    run("sh", DEPLOY / "install.sh", env={"DESTDIR": str(root)})
    return root


def env_file(path: pathlib.Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (quotes removed)."""
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = " ".join(shlex.split(value))
    return out


# --- systemd --------------------------------------------------------------------------------------

def test_systemd_analyze_verify_accepts_the_units(installed: pathlib.Path, tmp_path: pathlib.Path) -> None:
    assert sorted(p.name for p in (installed / "etc/systemd/system").iterdir()) == sorted(UNITS)
    units = tmp_path
    for unit in (installed / "etc/systemd/system").iterdir():  # the checkout's nianbao runs them
        assert "/opt/nianbao" not in unit.read_text()
        (units / unit.name).write_text(unit.read_text())
    scrapyd = (DEPLOY / "scrapyd/nianbao-scrapyd.service").read_text().replace("/opt/nianbao", str(REPO))
    (units / "nianbao-scrapyd.service").write_text(scrapyd)  # the optional one, checked alike
    proc = subprocess.run(["systemd-analyze", "verify", *(f"./{u}" for u in [*UNITS, "nianbao-scrapyd.service"])],
                          capture_output=True, text=True, cwd=units, timeout=120)
    # systemd-analyze exits 0 on unknown keys and bad calendar specifications: it only says so
    assert proc.returncode == 0 and proc.stdout + proc.stderr == "", proc.stdout + proc.stderr


def test_the_service_is_sandboxed(installed: pathlib.Path) -> None:
    service = installed / "etc/systemd/system/nianbao-crawl.service"
    proc = run("systemd-analyze", "security", "--offline=true", service)
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", proc.stdout).group(1))
    assert exposure <= 5.0, proc.stdout
    text = service.read_text()
    assert not re.search(r"^MemoryDenyWriteExecute=", text, re.M)  # Chromium's JavaScript JIT needs it off
    assert re.search(r"^ExecStart=\S+/\.venv/bin/nianbao crawl \$NIANBAO_CRAWL_ARGS$", text, re.M)
    assert "EnvironmentFile=/etc/nianbao/env" in text and "Type=oneshot" in text


def next_elapse(expressions: list[str], base: dt.datetime) -> dt.datetime:
    """The earliest next elapse of several OnCalendar= expressions after ``base`` (UTC)."""
    proc = run("systemd-analyze", "calendar", f"--base-time={base:%Y-%m-%d %H:%M:%S} UTC", *expressions,
               env={"TZ": "UTC"})
    found = re.findall(r"Next elapse: \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", proc.stdout)
    assert len(found) == len(expressions), proc.stdout
    return min(dt.datetime.strptime(f, "%Y-%m-%d %H:%M:%S") for f in found)


def timer_calendar() -> list[str]:
    text = (DEPLOY / "systemd/nianbao-crawl.timer").read_text()
    return re.findall(r"^OnCalendar=(.+)$", text, re.M)


def test_the_timer_follows_the_publication_calendar() -> None:
    calendar = timer_calendar()
    # a Sunday in May: the next crawl is Monday
    assert next_elapse(calendar, dt.datetime(2027, 5, 2, 12)) == dt.datetime(2027, 5, 3, 3)
    # February: every day
    assert next_elapse(calendar, dt.datetime(2027, 2, 10, 12)) == dt.datetime(2027, 2, 11, 3)
    # the last day of April is crawled, then the weekly rhythm starts
    assert next_elapse(calendar, dt.datetime(2027, 4, 29, 12)) == dt.datetime(2027, 4, 30, 3)
    assert next_elapse(calendar, dt.datetime(2027, 4, 30, 12)) == dt.datetime(2027, 5, 3, 3)
    # December to January: from weekly back to daily
    assert next_elapse(calendar, dt.datetime(2027, 12, 28, 12)) == dt.datetime(2028, 1, 1, 3)


# --- cron -----------------------------------------------------------------------------------------

def cron_field(spec: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in spec.split(","):
        rng, _, step = part.partition("/")
        start, end = (low, high) if rng == "*" else (int(rng.split("-")[0]), int(rng.split("-")[-1]))
        assert low <= start <= end <= high, spec
        values |= set(range(start, end + 1, int(step or 1)))
    return values


def cron_jobs() -> list[tuple[list[set[int]], bool, bool, str, str]]:
    jobs = []
    for line in (DEPLOY / "cron/nianbao").read_text().splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        minute, hour, dom, month, dow, user, command = line.split(None, 6)
        fields = [cron_field(minute, 0, 59), cron_field(hour, 0, 23), cron_field(dom, 1, 31),
                  cron_field(month, 1, 12), {d % 7 for d in cron_field(dow, 0, 7)}]
        jobs.append((fields, dom == "*", dow == "*", user, command))
    return jobs


def cron_next(base: dt.datetime) -> dt.datetime:
    """When cron runs one of the jobs next after ``base`` (vixie cron rules: with both day
    fields restricted a day matches either)."""
    t = base.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    for _ in range(60 * 24 * 9):
        for (minute, hour, dom, month, dow), any_dom, any_dow, _, _ in cron_jobs():
            day = (t.day in dom) if any_dow else (t.isoweekday() % 7 in dow) if any_dom else (
                t.day in dom or t.isoweekday() % 7 in dow)
            if t.minute in minute and t.hour in hour and t.month in month and day:
                return t
        t += dt.timedelta(minutes=1)
    raise AssertionError("no cron job within nine days")


def test_the_crontab_is_valid_and_runs_when_the_timer_does() -> None:
    jobs = cron_jobs()
    assert len(jobs) == 2 and {user for *_, user, _ in jobs} == {"nianbao"}
    assert {command for *_, command in jobs} == {"/opt/nianbao/deploy/cron/crawl"}
    assert os.access(DEPLOY / "cron/crawl", os.X_OK)
    calendar = timer_calendar()
    for base in (dt.datetime(2027, 1, 1), dt.datetime(2027, 2, 10, 12), dt.datetime(2027, 4, 10, 12),
                 dt.datetime(2027, 4, 30, 12), dt.datetime(2027, 5, 2, 12), dt.datetime(2027, 8, 9, 3, 30),
                 dt.datetime(2027, 8, 11, 12), dt.datetime(2027, 12, 28, 12)):
        assert cron_next(base) == next_elapse(calendar, base), base


def test_the_cron_job_reads_the_env_file_logs_and_never_overlaps(tmp_path: pathlib.Path) -> None:
    env = tmp_path / "env"
    env.write_text(f'NIANBAO_DATA_DIR={tmp_path}\nNIANBAO_CRAWL_ARGS="--list --region 河南"\n')
    log = tmp_path / "crawl.log"
    settings = {"NIANBAO_ENV": str(env), "NIANBAO_LOG": str(log)}
    run(DEPLOY / "cron/crawl", env=settings)
    first = log.read_text()
    assert "nianbao crawl --list --region 河南" in first and "henan-hct" in first
    with open(tmp_path / ".crawl.lock", "w") as lock:  # a crawl still running: the next one waits its turn
        fcntl.flock(lock, fcntl.LOCK_EX)
        run(DEPLOY / "cron/crawl", env=settings)
    assert log.read_text().count("henan-hct") == 1


# --- environment file, log rotation, install script -----------------------------------------------

def test_the_env_file_gives_the_service_a_valid_command(tmp_path: pathlib.Path) -> None:
    values = env_file(DEPLOY / "env.example")
    assert {"NIANBAO_DATABASE_URL", "NIANBAO_DATA_DIR", "NIANBAO_CRAWL_ARGS", "NIANBAO_LOG_LEVEL"} <= set(values)
    args = values["NIANBAO_CRAWL_ARGS"].split()
    assert "--report-dir" in args and "--jobdir" in args
    listed = run(NIANBAO, "crawl", *args, "--list", env={"NIANBAO_LOG_LEVEL": values["NIANBAO_LOG_LEVEL"]})
    assert "henan-hct" in listed.stdout  # every option of the service's command line exists


def test_logrotate_accepts_the_config_and_rotates(tmp_path: pathlib.Path) -> None:
    logs = tmp_path / "log"
    logs.mkdir(mode=0o750)
    text = (DEPLOY / "logrotate/nianbao").read_text()
    assert "su nianbao nianbao" in text and "/var/log/nianbao/*.log" in text
    config = tmp_path / "nianbao.conf"
    config.write_text(text.replace("/var/log/nianbao", str(logs)).replace("su nianbao nianbao", "su root root"))
    (logs / "crawl.log").write_text("a crawl\n")
    state = tmp_path / "state"
    debug = run("logrotate", "-d", "-s", state, config)
    assert "error" not in (debug.stdout + debug.stderr).lower(), debug.stdout + debug.stderr
    run("logrotate", "-f", "-s", state, config)
    assert (logs / "crawl.log.1").read_text() == "a crawl\n" and (logs / "crawl.log").read_text() == ""


def snapshot(root: pathlib.Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(root)): (p.read_text(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_install_is_idempotent_and_keeps_the_env_file(installed: pathlib.Path) -> None:
    env = installed / "etc/nianbao/env"
    env.write_text(env.read_text().replace("example.org", "crawler.example.cn"))  # the operator's edit
    before = snapshot(installed)
    again = run("sh", DEPLOY / "install.sh", env={"DESTDIR": str(installed)})
    assert snapshot(installed) == before, again.stdout
    assert "installed" not in again.stdout and "kept" in again.stdout
    assert (installed / "var/lib/nianbao").is_dir()
    assert sorted(p.name for p in (installed / "var/log/nianbao").iterdir()) == ["crawl.log", "reparse.log"]
    assert oct(env.stat().st_mode & 0o777) == "0o640"


def test_install_switches_between_timer_and_cron(tmp_path: pathlib.Path) -> None:
    run("sh", DEPLOY / "install.sh", env={"DESTDIR": str(tmp_path)})
    run("sh", DEPLOY / "install.sh", "--cron", env={"DESTDIR": str(tmp_path)})
    cron = tmp_path / "etc/cron.d/nianbao"
    assert cron.exists() and not (tmp_path / "etc/systemd/system/nianbao-crawl.timer").exists()
    assert f"{REPO}/deploy/cron/crawl" in cron.read_text()
    run("sh", DEPLOY / "install.sh", env={"DESTDIR": str(tmp_path)})
    assert not cron.exists() and (tmp_path / "etc/systemd/system/nianbao-crawl.timer").exists()
    wrong = run("sh", DEPLOY / "install.sh", "--timer", env={"DESTDIR": str(tmp_path)}, check=False)
    assert wrong.returncode == 2 and "usage" in wrong.stderr

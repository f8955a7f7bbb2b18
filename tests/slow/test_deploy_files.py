"""deploy/ holds real files: the systemd units start commands that exist and work, the example
environment names only settings something reads, and nginx proxies to the port it sets."""
import re
import socket
import subprocess

import pytest

from tests.support.serving import ROOT, app_env, free_port, gunicorn_argv, running

DEPLOY = ROOT / "deploy"
SRV = "/srv/rebook"  # where the README installs the project
UNITS = ("rebook-web.service", "rebook-worker.service")


def unit_settings(name):
    settings = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, value)
    return settings


def env_example():
    lines = (DEPLOY / "rebook.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def here(path):
    """A path in the units, as it is in this checkout instead of /srv/rebook."""
    return path.replace(SRV, str(ROOT))


@pytest.mark.parametrize("unit", UNITS)
def test_units_run_from_the_project_with_the_environment_file(unit):
    settings = unit_settings(unit)
    assert settings["WorkingDirectory"] == SRV
    assert settings["EnvironmentFile"] == "/etc/rebook/rebook.env"
    assert settings["ReadWritePaths"] == f"{SRV}/instance"
    argv = settings["ExecStart"].split()
    assert argv[0].startswith(f"{SRV}/.venv/bin/")
    for word in argv:
        if word.startswith(SRV):
            assert (ROOT / word[len(SRV) + 1:]).exists(), word


def test_systemd_accepts_the_units_with_this_checkout_in_place_of_srv_rebook(tmp_path):
    (tmp_path / "rebook.env").write_text((DEPLOY / "rebook.env.example").read_text())
    for unit in UNITS:
        text = here((DEPLOY / unit).read_text()).replace("/etc/rebook/rebook.env",
                                                         str(tmp_path / "rebook.env"))
        (tmp_path / unit).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / u) for u in UNITS)],
                            capture_output=True, text=True, timeout=60)
    # verify checks the executables exist; a missing user "rebook" is not its business here.
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "rebook" in line and "User" not in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_the_web_units_gunicorn_command_loads_the_app_with_the_shipped_config(
        app, database_url):
    argv = here(unit_settings("rebook-web.service")["ExecStart"]).split()
    result = subprocess.run([*argv[:-1], "--check-config", argv[-1]], cwd=ROOT,
                            env=app_env(database_url, free_port()), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_gunicorn_tells_systemd_it_is_ready_as_type_notify_expects(app, database_url,
                                                                    tmp_path):
    assert unit_settings("rebook-web.service")["Type"] == "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(tmp_path / "notify"))
        notify.settimeout(60)
        port = free_port()
        env = app_env(database_url, port, NOTIFY_SOCKET=tmp_path / "notify")
        with running(gunicorn_argv(), env, tmp_path / "web.log", port, up_path=None):
            assert notify.recv(1024).startswith(b"READY=1")


def test_the_worker_units_command_exists(app, database_url):
    argv = here(unit_settings("rebook-worker.service")["ExecStart"]).split()
    result = subprocess.run([*argv, "--help"], cwd=ROOT, env=app_env(database_url, free_port()),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--reminders-every" in result.stdout, result.stderr


def test_every_setting_in_the_example_environment_is_read_by_something():
    sources = "\n".join(p.read_text() for p in [*(ROOT / "portal").rglob("*.py"),
                                               DEPLOY / "gunicorn.conf.py"])
    settings = env_example()
    assert {"SECRET_KEY", "DATABASE_URL", "BASE_URL", "PORT"} <= set(settings)
    for name in settings:
        assert re.search(rf'["\']{name}["\']', sources), f"{name} is read by nothing"


def test_nginx_proxies_to_the_example_port_and_serves_this_static_folder():
    conf = (DEPLOY / "nginx-rebook.conf").read_text()
    assert f"proxy_pass http://127.0.0.1:{env_example()['PORT']};" in conf
    static = re.search(r"alias (\S+);", conf).group(1)
    assert static == f"{SRV}/static/" and (ROOT / "static" / "app.css").exists()
    for header in ("Host $host", "X-Forwarded-For $proxy_add_x_forwarded_for",
                   "X-Forwarded-Proto $scheme"):
        assert f"proxy_set_header {header};" in conf
    assert "ssl_certificate " in conf and "listen 443 ssl http2;" in conf


@pytest.mark.parametrize("path, logged", [
    ("/l/eyJiIjoxfQ.abc", "/l/<token>"), ("/l/eyJiIjoxfQ.abc/cancel", "/l/<token>/cancel"),
    ("/account/reset/eyJjIjoxfQ.x", "/account/reset/<token>"),
    ("/account/invite/eyJjIjoxfQ.x", "/account/invite/<token>"), ("/bookings", "/bookings")])
def test_nginx_log_map_hides_tokens(path, logged):
    """The map's regexes, run as nginx runs them (PCRE; Python's re agrees on these)."""
    conf = (DEPLOY / "nginx-rebook.conf").read_text()
    body = re.search(r"map \$uri \$rebook_log_path \{(.*?)\}", conf, re.S).group(1)
    for line in body.strip().splitlines():
        pattern, result = line.split()
        if pattern == "default":
            assert logged == path
            return
        match = re.match(pattern.lstrip("~").replace("(?<", "(?P<"), path)
        if match:
            expanded = re.sub(r"\$(\w+)", lambda m: match.group(m.group(1)) or "", result)
            assert expanded.rstrip(";") == logged
            return
    raise AssertionError(f"no line of the map matched {path}")

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/socket-unit.py: what systemd (PID 1) does for a socket-activated
# service, for tests on machines where systemd is not running.
#
#   socket-unit.py --listen PATH [--mode 0666] [--user root] [--group root]
#                  [--directory-mode 0755] [--name NAME] [--restart-sec N]
#                  [--pid-file FILE] [--once] [--setenv KEY=VALUE]...
#                  [--runtime-directory DIR]... [--runtime-directory-mode 0755]
#                  [--runtime-directory-owner USER]
#                  [--runtime-directory-preserve no|restart|yes]
#                  -- CMD [ARGS...]
#
# As a .socket unit with ListenStream=PATH, SocketMode=, SocketUser=,
# SocketGroup=, DirectoryMode= and RemoveOnStop=yes, and its service with
# Restart=on-failure and RestartSec=N:
#  - creates the missing parent directories of PATH (DirectoryMode), binds
#    PATH with the umask ~MODE, and if the bind fails with EADDRINUSE
#    removes the file there and binds again; listens (backlog SOMAXCONN)
#    and gives the socket to USER:GROUP (systemd: socket_address_listen()
#    in src/shared/socket-label.c, then socket_chown());
#  - starts CMD with the listening socket as file descriptor 3,
#    LISTEN_FDS=1, LISTEN_PID=CMD's pid and LISTEN_FDNAMES=NAME
#    (sd_listen_fds(3)), standard input /dev/null, in an environment of
#    PATH, LANG=C.UTF-8 and the --setenv variables only;
#  - keeps the socket open while CMD runs and after it ends, so clients
#    that connect meanwhile wait in the backlog; when CMD is killed by a
#    signal or exits non-zero it is started again after N seconds with
#    the same socket (Restart=on-failure).  With --once it is not: the
#    exit status is CMD's (128+signal if killed);
#  - each --runtime-directory DIR (the service's RuntimeDirectory=) is
#    made before every start, owned by USER with the mode given, and
#    removed with all it holds whenever CMD ends, restart or not, unless
#    RuntimeDirectoryPreserve= says to keep it (restart: while
#    restarting; yes: always) -- systemd's service_enter_dead() and
#    unit_destroy_runtime_data();
#  - on SIGTERM or SIGINT stops CMD (SIGTERM, SIGKILL after 3 s) and
#    removes PATH.
# CMD's pid goes to --pid-file (replaced atomically) at every start; one
# line per start and end goes to standard error.
import argparse
import errno
import grp
import os
import pwd
import shutil
import signal
import socket
import sys
import time

stopping = False
stop_deadline = 0.0
child = None


def log(msg):
    print(f"socket-unit: {msg}", file=sys.stderr, flush=True)


def on_stop(signum, frame):
    global stopping, stop_deadline
    if not stopping:
        stopping = True
        stop_deadline = time.monotonic() + 3
    if child is not None:
        try:
            os.kill(child, signal.SIGTERM)
        except ProcessLookupError:
            pass


def make_socket(args):
    """The listening socket, made as systemd makes it."""
    os.makedirs(os.path.dirname(args.listen), mode=args.directory_mode,
                exist_ok=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(~args.mode & 0o777)
    try:
        try:
            s.bind(args.listen)
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
            os.unlink(args.listen)
            s.bind(args.listen)
    finally:
        os.umask(old)
    s.listen(socket.SOMAXCONN)
    os.chown(args.listen, pwd.getpwnam(args.user).pw_uid,
             grp.getgrnam(args.group).gr_gid)
    return s


def make_runtime_directories(args):
    """RuntimeDirectory=: made (parents too) and given to the user."""
    owner = pwd.getpwnam(args.runtime_directory_owner)
    for d in args.runtime_directory:
        os.makedirs(d, exist_ok=True)
        os.chown(d, owner.pw_uid, owner.pw_gid)
        os.chmod(d, args.runtime_directory_mode)


def remove_runtime_directories(args, restarting):
    """RuntimeDirectory= after CMD ended, as RuntimeDirectoryPreserve= says."""
    keep = args.runtime_directory_preserve
    if keep == "yes" or (keep == "restart" and restarting):
        return
    for d in args.runtime_directory:
        shutil.rmtree(d, ignore_errors=True)
        log(f"removed the runtime directory {d}")


def start(args, sock):
    """Fork and exec CMD with the socket as fd 3; its pid."""
    make_runtime_directories(args)
    pid = os.fork()
    if pid == 0:
        try:
            if sock.fileno() != 3:
                os.dup2(sock.fileno(), 3)
            os.set_inheritable(3, True)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin"),
                   "LANG": "C.UTF-8", "LISTEN_FDS": "1",
                   "LISTEN_PID": str(os.getpid()),
                   "LISTEN_FDNAMES": args.name}
            for kv in args.setenv:
                key, _, value = kv.partition("=")
                env[key] = value
            os.execvpe(args.cmd[0], args.cmd, env)
        except OSError as e:
            print(f"socket-unit: cannot run {args.cmd[0]}: {e.strerror}",
                  file=sys.stderr)
        os._exit(127)
    if args.pid_file:
        tmp = args.pid_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{pid}\n")
        os.rename(tmp, args.pid_file)
    log(f"started {args.cmd[0]} as pid {pid}")
    return pid


def wait_child():
    """Wait for CMD to end (SIGKILL 3 s after a stop request); its status."""
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid != 0:
            return status
        if stopping and time.monotonic() > stop_deadline:
            os.kill(child, signal.SIGKILL)
        time.sleep(0.05)


def describe(status):
    """(exit code for --once, words) of a wait status."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return 128 + sig, f"killed by {signal.Signals(sig).name}"
    code = os.WEXITSTATUS(status)
    return code, f"exited with status {code}"


def main():
    global child
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True)
    p.add_argument("--mode", type=lambda v: int(v, 8), default=0o666)
    p.add_argument("--user", default="root")
    p.add_argument("--group", default="root")
    p.add_argument("--directory-mode", type=lambda v: int(v, 8),
                   default=0o755)
    p.add_argument("--name", default="socket")
    p.add_argument("--restart-sec", type=float, default=0.1)
    p.add_argument("--pid-file")
    p.add_argument("--once", action="store_true")
    p.add_argument("--setenv", action="append", default=[])
    p.add_argument("--runtime-directory", action="append", default=[])
    p.add_argument("--runtime-directory-mode", type=lambda v: int(v, 8),
                   default=0o755)
    p.add_argument("--runtime-directory-owner", default="root")
    p.add_argument("--runtime-directory-preserve", default="no",
                   choices=["no", "restart", "yes"])
    p.add_argument("cmd", nargs="+")
    args = p.parse_args()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    sock = make_socket(args)
    log(f"listening on {args.listen}")
    code = 0
    while not stopping:
        child = start(args, sock)
        status = wait_child()
        child = None
        code, words = describe(status)
        log(f"{args.cmd[0]} {words}")
        restarting = not (stopping or args.once or code == 0)
        remove_runtime_directories(args, restarting)
        if not restarting:
            break
        deadline = time.monotonic() + args.restart_sec
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.05)
    sock.close()
    try:
        os.unlink(args.listen)
        log(f"removed {args.listen}")
    except FileNotFoundError:
        log(f"{args.listen} was removed already")
    return code if args.once else 0


if __name__ == "__main__":
    sys.exit(main())

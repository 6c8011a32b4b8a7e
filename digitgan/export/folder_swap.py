"""Replace an output folder as a whole: build beside it, then swap it in with renames, so
readers see the complete old set or the complete new one. Staging folders carry their
writer's pid, so a later run can remove what a killed run left behind.

    staging = side_folder(out, 'new')
    ...write into staging...
    swap_in(staging, out)
    remove_stale_side_folders(out)      # at the start of the next run
"""
import os
import re
import shutil
import tempfile


def side_folder(out, role):
    """A new folder beside `out` named .<out>.<role>-<pid>-<random>: the pid tells a later
    run whether its writer is still alive."""
    return tempfile.mkdtemp(dir=os.path.dirname(out),
                            prefix='.%s.%s-%d-' % (os.path.basename(out), role, os.getpid()))


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # another user's process
        return True
    return True


def remove_stale_side_folders(out):
    """Remove the staging (new) and retired (old) folders of runs whose process is gone; a
    retired copy comes back first if a run died between the two renames of swap_in."""
    pattern = re.compile(r'\.%s\.(new|old)-(\d+)-' % re.escape(os.path.basename(out)))
    parent = os.path.dirname(out)
    removed = []
    for name in sorted(os.listdir(parent)) if os.path.isdir(parent) else []:
        found = pattern.match(name)
        path = os.path.join(parent, name)
        if not found or not os.path.isdir(path) or process_alive(int(found.group(2))):
            continue
        retired = os.path.join(path, os.path.basename(out))
        if found.group(1) == 'old' and os.path.isdir(retired) and not os.path.exists(out):
            os.rename(retired, out)
        shutil.rmtree(path, ignore_errors=True)
        removed.append(name)
    return removed


def swap_in(staging, out):
    """Rename the finished folder to `out`; an old `out` is moved aside first, then deleted."""
    if not os.path.exists(out):
        os.rename(staging, out)
        return
    retired = side_folder(out, 'old')
    os.rename(out, os.path.join(retired, os.path.basename(out)))
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(os.path.join(retired, os.path.basename(out)), out)
        os.rmdir(retired)         # empty now; were the rename back to fail, it keeps the copy
        raise
    shutil.rmtree(retired, ignore_errors=True)

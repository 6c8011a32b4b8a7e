"""Interrupted training resumes: after kill -9 (the newest snapshot in --out), with an
explicit --resume, and after Ctrl-C (which writes a snapshot itself)."""
import json
import os
import re
import signal

import pytest

from script_helpers import (assert_ok, data_dir_or_fail, expected_files, numbered_files,
                            run_script, snapshot_iterations, start_script, wait_for)
from digitgan.training import runs

N = 30
INTERVAL = 5


def gan_args(mnist_dir, out, iterations=N):
    return ['--gpu', -1, '--batchsize', 8, '--iterations', iterations,
            '--snapshot-interval', INTERVAL, '--preview-interval', 1000,
            '--data-dir', data_dir_or_fail(mnist_dir), '--out', out]


def read_log(out):
    with open(os.path.join(out, 'log')) as f:
        return json.load(f)


def snapshot_iteration(path):
    return int(re.fullmatch(r'snapshot_iter_(\d+)', os.path.basename(path)).group(1))


@pytest.fixture(scope='module')
def killed_and_rerun(mnist_dir, tmp_path_factory):
    """Start a run, SIGKILL it once a snapshot exists, then run the same command again."""
    out = str(tmp_path_factory.mktemp('killed') / 'out')
    args = gan_args(mnist_dir, out)
    process = start_script('train_gan.py', *args)
    wait_for(lambda: runs.newest_snapshot(out), process, what='the first snapshot')
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    newest = runs.newest_snapshot(out)
    k = snapshot_iteration(newest)
    assert INTERVAL <= k < N, 'the run finished before it was killed; make it longer'
    log_at_kill = read_log(out)
    done = run_script('train_gan.py', *args)
    return out, k, log_at_kill, done


def test_rerun_after_kill_resumes_from_the_newest_snapshot(killed_and_rerun):
    out, k, _, done = killed_and_rerun
    assert_ok(done)
    expected = 'resumed from %s at iteration %d' % (os.path.join(out, 'snapshot_iter_%d' % k), k)
    assert expected in done.stdout.splitlines()


def test_log_continues_from_the_snapshot_not_from_zero(killed_and_rerun):
    out, k, log_at_kill, _ = killed_and_rerun
    log = read_log(out)
    assert [entry['iteration'] for entry in log] == list(range(INTERVAL, N + 1, INTERVAL))
    # Entries up to k are the killed run's own (restored from the snapshot, elapsed times
    # included); a run started from scratch would have written new ones.
    before = [entry for entry in log if entry['iteration'] <= k]
    assert before == [entry for entry in log_at_kill if entry['iteration'] <= k]
    # the clock goes on from the snapshot's elapsed time
    elapsed = [entry['elapsed_time'] for entry in log]
    assert elapsed == sorted(elapsed)


def test_finished_rerun_leaves_the_final_files(killed_and_rerun):
    out, _, _, _ = killed_and_rerun
    assert snapshot_iterations(out) == [N - INTERVAL, N]
    assert numbered_files(out) == expected_files(N - INTERVAL, N)
    assert os.path.isfile(os.path.join(out, 'generator_args.json'))


def test_explicit_resume_into_another_folder(killed_and_rerun, mnist_dir, tmp_path):
    source, _, _, _ = killed_and_rerun
    snapshot = os.path.join(source, 'snapshot_iter_%d' % N)
    out = str(tmp_path / 'continued')
    done = run_script('train_gan.py', *gan_args(mnist_dir, out, iterations=N + 3),
                      '--resume', snapshot)
    assert_ok(done)
    assert 'resumed from %s at iteration %d' % (snapshot, N) in done.stdout
    assert read_log(out)[-1]['iteration'] == N + 3
    assert read_log(out)[:-1] == read_log(source)
    assert runs.newest_snapshot(out) == os.path.join(out, 'snapshot_iter_%d' % (N + 3))
    assert os.path.isfile(os.path.join(out, 'generator_args.json'))


def test_rerun_of_a_finished_run_does_nothing_more(killed_and_rerun, mnist_dir):
    out, _, _, _ = killed_and_rerun
    log = read_log(out)
    done = run_script('train_gan.py', *gan_args(mnist_dir, out))
    assert_ok(done)
    assert 'at iteration %d' % N in done.stdout
    assert read_log(out) == log
    assert runs.newest_snapshot(out) == os.path.join(out, 'snapshot_iter_%d' % N)
    # asking for fewer iterations than the snapshot has done must not train on (to 2 x 20)
    done = run_script('train_gan.py', *gan_args(mnist_dir, out, iterations=N - 10))
    assert_ok(done)
    assert read_log(out) == log
    assert runs.newest_snapshot(out) == os.path.join(out, 'snapshot_iter_%d' % N)


def test_ctrl_c_writes_a_snapshot_that_resumes(mnist_dir, tmp_path):
    out = str(tmp_path / 'interrupted')
    process = start_script('train_gan.py', *gan_args(mnist_dir, out, iterations=1000))
    wait_for(lambda: runs.newest_snapshot(out), process, what='the first snapshot')
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-3000:]
    assert 'Traceback' not in stderr
    match = re.search(r'interrupted at iteration (\d+); snapshot saved', stdout)
    assert match, stdout[-2000:]
    k = int(match.group(1))
    assert k >= INTERVAL
    assert runs.newest_snapshot(out) == os.path.join(out, 'snapshot_iter_%d' % k)

    done = run_script('train_gan.py', *gan_args(mnist_dir, out, iterations=k + 2))
    assert_ok(done)
    assert 'resumed from %s at iteration %d' % (
        os.path.join(out, 'snapshot_iter_%d' % k), k) in done.stdout
    assert read_log(out)[-1]['iteration'] == k + 2


def test_recogniser_resumes_too(mnist_dir, tmp_path):
    out = str(tmp_path / 'recogniser')
    common = ['--gpu', -1, '--batchsize', 8, '--snapshot-interval', 2, '--test-limit', 50,
              '--data-dir', data_dir_or_fail(mnist_dir), '--out', out]
    assert_ok(run_script('train_recognizer.py', '--iterations', 3, *common))
    done = run_script('train_recognizer.py', '--iterations', 5, *common)
    assert_ok(done)
    assert 'resumed from %s at iteration 3' % os.path.join(out, 'snapshot_iter_3') \
        in done.stdout
    assert [entry['iteration'] for entry in read_log(out)] == [2, 3, 4, 5]
    assert os.path.isfile(os.path.join(out, 'recogniser.npz'))

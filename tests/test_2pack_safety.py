"""2pack.py protects what app/models holds: without em++ it stops before any work (not a
silent WebGL-only set); by default it writes every graph the pages use, and a run that would
drop one needs --allow-fewer; staging folders of killed runs are removed by the next run.
The conversions here use --backends webgl (pure Python, seconds) unless em++ is the point."""
import json
import os
import signal
import subprocess

import pytest

pytest.register_assert_rewrite('export_fixtures')  # before the import below
from export_fixtures import run_2pack  # noqa: E402
from script_helpers import assert_ok, assert_one_line_error, folder_state  # noqa: E402
from script_helpers import start_script, wait_for  # noqa: E402

pytest_plugins = ['export_fixtures']

EVERY_GRAPH = ['contract.json', 'encoder', 'generator', 'generator-b10', 'generator-b100',
               'recogniser']


@pytest.fixture
def pack(export_snapshots, tmp_path):
    """pack(*flags, env=None): 2pack.py on the test snapshots into tmp_path/models."""
    def run(*flags, env=None):
        return run_2pack('--generator', export_snapshots.generator_npz,
                         '--recogniser', export_snapshots.recogniser_npz,
                         '--encoder', export_snapshots.encoder_npz,
                         '--out', str(tmp_path / 'models'), *flags, env=env)
    return run


def side_folders(tmp_path):
    return sorted(name for name in os.listdir(tmp_path) if name.startswith('.models.'))


def dead_pid():
    child = subprocess.Popen(['true'])
    child.wait()
    return child.pid


def fake_models(out, files):
    """A models folder as an earlier run left it (only the names matter to the checks)."""
    for name in files:
        os.makedirs(os.path.dirname(os.path.join(out, name)), exist_ok=True)
        with open(os.path.join(out, name), 'w') as f:
            f.write('{}')
    return folder_state(out)


# ---- (a) without em++ ----

def test_without_em_plus_plus_it_stops_before_any_work(pack, tmp_path):
    no_tools = {'PATH': str(tmp_path / 'empty-bin')}
    os.mkdir(tmp_path / 'empty-bin')
    out = str(tmp_path / 'models')
    before = fake_models(out, ['generator/graph_webgl_4096.json'])
    line = assert_one_line_error(pack(env=no_tools), 'em++', 'scripts/install-system-deps.sh',
                                 'Eigen', '--backends webgl ')
    assert '--allow-fewer' not in line          # no webassembly models there to lose
    assert folder_state(out) == before and side_folders(tmp_path) == []
    assert_one_line_error(pack('--backends', 'webassembly', env=no_tools), 'em++')

    # Over webassembly models, WebGL-only also drops those: the line names both flags.
    fake_models(out, ['generator/graph_webassembly.json'])
    before = folder_state(out)
    assert_one_line_error(pack(env=no_tools), '--backends webgl --allow-fewer')
    assert folder_state(out) == before

    done = pack('--backends', 'webgl', '--allow-fewer', env=no_tools)
    assert_ok(done)
    contract = json.loads((tmp_path / 'models' / 'contract.json').read_text())
    assert contract['backend_order'] == ['webgl']
    assert 'graph_webassembly.json' not in os.listdir(tmp_path / 'models' / 'generator')


# ---- (b) every graph by default; dropping one needs --allow-fewer ----

def test_default_writes_every_graph_and_narrowing_needs_a_flag(pack, tmp_path):
    out = tmp_path / 'models'
    assert_ok(pack('--backends', 'webgl'))
    assert sorted(os.listdir(out)) == EVERY_GRAPH
    contract = json.loads((out / 'contract.json').read_text())
    assert [contract[key]['batch'] for key in ('generator', 'generator_b10', 'generator_b100')] \
        == [1, 10, 100]

    before = folder_state(out)
    assert_one_line_error(pack('--backends', 'webgl', '--no-batch100'), 'generator-b100',
                          '--batch100', '--allow-fewer')
    assert_one_line_error(pack('--backends', 'webgpu'), 'the webgl models',
                          '--backends webgl,webgpu', '--allow-fewer')
    assert_one_line_error(pack('--backends', 'webgl', '--no-batch10', '--no-batch100'),
                          'generator-b10 and generator-b100, which', '--batch10 --batch100')
    assert folder_state(out) == before and side_folders(tmp_path) == []

    assert_ok(pack('--backends', 'webgl', '--no-batch100', '--allow-fewer'))
    assert 'generator-b100' not in os.listdir(out)
    assert 'generator_b100' not in json.loads((out / 'contract.json').read_text())
    assert_ok(pack('--backends', 'webgl'))     # writing more needs no flag
    assert sorted(os.listdir(out)) == EVERY_GRAPH


def test_an_onnx_model_is_not_dropped_silently(pack, tmp_path):
    out = str(tmp_path / 'models')
    before = fake_models(out, ['generator/graph_webgl_4096.json', 'generator.onnx'])
    assert_one_line_error(pack('--backends', 'webgl'), 'generator.onnx', '--onnx',
                          '--allow-fewer')
    assert folder_state(out) == before


# ---- (c) what killed runs leave beside the output ----

def start_pack(export_snapshots, tmp_path):
    return start_script('2pack.py', '--generator', export_snapshots.generator_npz,
                        '--recogniser', export_snapshots.recogniser_npz,
                        '--encoder', export_snapshots.encoder_npz,
                        '--out', str(tmp_path / 'models'), '--backends', 'webgl')


def wait_for_staging(process, tmp_path):
    """The staging folder's name, once the run has written into it."""
    def started():
        return [name for name in side_folders(tmp_path)
                if os.path.isdir(tmp_path / name / 'generator')]
    wait_for(started, process, what='the staging folder')
    [name] = started()
    assert name.startswith('.models.new-%d-' % process.pid)
    return name


def test_the_next_run_removes_what_a_killed_run_left(export_snapshots, pack, tmp_path):
    process = start_pack(export_snapshots, tmp_path)
    left = wait_for_staging(process, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    process.stderr.close()
    assert side_folders(tmp_path) == [left] and not (tmp_path / 'models').exists()
    live = '.models.new-%d-live' % os.getpid()    # a run still writing: left alone
    os.mkdir(tmp_path / live)
    dead = '.models.new-%d-dead' % dead_pid()
    os.mkdir(tmp_path / dead)

    done = pack('--backends', 'webgl')
    assert_ok(done)
    assert side_folders(tmp_path) == [live]
    assert 'removed %s' % left in done.stdout and 'removed %s' % dead in done.stdout
    assert sorted(os.listdir(tmp_path / 'models')) == EVERY_GRAPH


def test_a_run_killed_between_the_renames_gets_the_old_models_back(pack, tmp_path):
    retired = str(tmp_path / ('.models.old-%d-x' % dead_pid()) / 'models')
    before = fake_models(retired, ['generator/graph_webgl_4096.json'])
    # Back in place, the old folder is what the narrowing check sees.
    assert_one_line_error(pack('--backends', 'webgpu'), 'the webgl models')
    assert folder_state(str(tmp_path / 'models')) == before and side_folders(tmp_path) == []


def test_sigterm_removes_the_staging_folder(export_snapshots, tmp_path):
    process = start_pack(export_snapshots, tmp_path)
    wait_for_staging(process, tmp_path)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and 'Traceback' not in stderr, stderr
    assert os.listdir(tmp_path) == []

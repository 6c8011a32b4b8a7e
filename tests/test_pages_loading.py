"""Loading both pages in headless Chromium: the first model fetched while the page's code
arrives; on bad networks, real download progress on a slow link; network failure, a missing
build, an HTML answer, a server error and an unsupported browser told apart in words, with a
retry that works; developer hints only on this machine; after one visit both pages work
offline, and a new build replaces the offline copy."""
import os
import re
import shutil

from browser.drawings import digit_drawing

READY = 'body[data-state="ready"]'
ERROR = 'body[data-state="error"]'
SETTLED = 'async () => window.dcganTest.settled()'
NO_WORKERS = {'serviceWorkers': 'block'}      # routes must see every request
STATUS = """async () => ({text: document.querySelector('#status').textContent,
  kind: document.querySelector('#status').dataset.kind,
  retry: !document.querySelector('#retry').hidden,
  footer: document.querySelector('footer').innerText.replace(/\\s+/g, ' ')})"""


def test_progress_shows_the_bytes_of_the_model_on_a_slow_link(site, static_server, browser):
    url = static_server(site['dist'])
    watch = """async () => { const seen = [];
      while (document.body.dataset.state !== 'ready') {
        const text = document.querySelector('#progress-text');
        const shown = text && !text.hidden ? text.textContent : null;
        if (shown && shown !== seen[seen.length - 1]) seen.push(shown);
        await new Promise((r) => setTimeout(r, 50)); }
      return seen; }"""
    r = browser({'context': NO_WORKERS, 'steps': [
        {'throttle': 500 * 1024}, {'goto': url + 'draw.html', 'waitUntil': 'commit'},
        {'waitFor': '#status'}, {'eval': watch}]})
    seen = [text for text in r[3] if '%' in text]
    percents = [int(re.search(r'\((\d+) %\)', text).group(1)) for text in seen]
    assert len(set(percents)) >= 4 and percents == sorted(percents), seen
    assert all(re.fullmatch(r'\d+\.\d MB of 1\.9 MB \(\d+ %\)', text) for text in seen), seen


def test_failures_are_told_apart_and_retry_works(site, static_server, browser):
    url = static_server(site['dist'])
    weights = '**/recogniser/weight_webassembly.bin'
    contract = '**/models/contract.json'
    r = browser({'context': NO_WORKERS, 'steps': [
        {'route': contract, 'action': 'abort'}, {'goto': url}, {'waitFor': ERROR},
        {'eval': STATUS},
        {'unroute': contract}, {'click': '#retry'}, {'waitFor': READY}, {'eval': STATUS},
        {'route': weights, 'action': 'abort'}, {'goto': url + 'draw.html'}, {'waitFor': ERROR},
        {'eval': STATUS}, {'unroute': weights}, {'click': '#retry'}, {'waitFor': READY},
        {'route': contract, 'action': 'html'}, {'goto': url}, {'waitFor': ERROR}, {'eval': STATUS},
        {'unroute': contract},
        {'route': weights, 'action': 'status', 'status': 404}, {'goto': url + 'draw.html'},
        {'waitFor': ERROR}, {'eval': STATUS}, {'unroute': weights},
        {'route': weights, 'action': 'status', 'status': 503}, {'goto': url + 'draw.html'},
        {'waitFor': ERROR}, {'eval': STATUS}, {'unroute': weights},
        # a browser with neither web workers (WebAssembly backend) nor WebGL
        {'initScript': "delete window.Worker; const get = HTMLCanvasElement.prototype.getContext;"
                       "HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {"
                       "return /webgl/.test(kind) ? null : get.call(this, kind, ...rest); };"},
        {'goto': url + 'draw.html'}, {'waitFor': ERROR}, {'eval': STATUS},
    ]}, allow_errors=True)['results']
    offline, recovered, weights_lost = r[3], r[7], r[11]
    assert offline['kind'] == 'network' and 'network connection failed' in offline['text']
    assert offline['retry'] and 'backend' not in offline['footer'], offline
    assert 'backend: webassembly' in recovered['footer'] and '–' not in recovered['footer']
    assert weights_lost['kind'] == 'network' and weights_lost['retry'], weights_lost
    web_page, missing, server, unsupported = r[18], r[23], r[28], r[33]
    assert web_page['kind'] == 'invalid' and 'web page' in web_page['text'], web_page
    assert 'JSON' not in web_page['text'].split('[')[0]       # no raw parser message for people
    assert missing['kind'] == 'missing' and 'python 2pack.py' in missing['text'], missing
    assert server['kind'] == 'server' and server['retry'], server
    assert unsupported['kind'] == 'unsupported' and not unsupported['retry'], unsupported
    assert 'cannot run the models' in unsupported['text']


def test_developer_hints_only_where_the_page_is_served_from_this_machine(site, static_server,
                                                                         browser, tmp_path):
    bare = tmp_path / 'dist'
    shutil.copytree(site['dist'], bare, ignore=shutil.ignore_patterns('models'))
    url = static_server(str(bare))
    public = url.replace('127.0.0.1', 'digits.example')
    r = browser({'args': ['--host-resolver-rules=MAP digits.example 127.0.0.1'], 'steps': [
        {'goto': public}, {'waitFor': ERROR}, {'eval': STATUS},
        {'goto': url}, {'waitFor': ERROR}, {'eval': STATUS}]}, allow_errors=True)['results']
    visitor, developer = r[2], r[5]
    assert visitor['kind'] == developer['kind'] == 'missing'
    assert 'missing' in visitor['text'] and '2pack' not in visitor['text'], visitor
    assert 'python 2pack.py' in developer['text'] and 'npm run build' in developer['text']


# Model files the page asked for before `mark` (its first picture, or its recogniser ready),
# with when each request started and when the page's own scripts had run.
ASKED_BEFORE = """async () => { const mark = '%s';
  while (!performance.getEntriesByName(mark).length) await new Promise((r) => setTimeout(r, 20));
  const ready = performance.getEntriesByName(mark)[0].startTime;
  const codeRan = performance.getEntriesByType('navigation')[0].domContentLoadedEventStart;
  return {codeRan, asked: performance.getEntriesByType('resource')
    .filter((e) => e.startTime < ready && new URL(e.name).pathname.includes('/models/'))
    .map((e) => [new URL(e.name).pathname.split('/models/')[1], e.startTime])}; }"""
BACKEND_FILES = {'webassembly': ['graph_webassembly.json', 'weight_webassembly.bin',
                                 'kernels_webassembly.js', 'kernels_webassembly.wasm'],
                 'webgl': ['graph_webgl_4096.json', 'weight_webgl_4096.bin']}


def first_model_files(spec, backend='webassembly'):
    """contract.json and the files of one model (contract entry `spec`) on `backend`."""
    weights = spec.get('weights_folder', {}).get(backend, spec['folder'])
    return sorted(['contract.json'] + [
        '%s/%s' % (weights if name.startswith('weight') else spec['folder'], name)
        for name in BACKEND_FILES[backend]])


def test_the_first_model_downloads_while_the_page_code_arrives(site, static_server, browser):
    """Each page's early script asks for contract.json and its first model's WebAssembly
    files before the page's own scripts have run, and the page downloads each file once;
    with ?backend=webgl nothing of WebAssembly is fetched."""
    contract = site['contract']
    url = static_server(site['dist'])
    clothes = contract['datasets']['fashion-mnist']['generator']
    r = browser({'context': NO_WORKERS, 'steps': [
        {'goto': url + '?seed=3'}, {'eval': ASKED_BEFORE % 'first-digit'},
        {'goto': url + '?dataset=fashion-mnist&seed=3'}, {'eval': ASKED_BEFORE % 'first-digit'},
        {'goto': url + 'draw.html'}, {'eval': ASKED_BEFORE % 'recogniser-ready'},
        {'goto': url + '?backend=webgl&seed=3'}, {'eval': ASKED_BEFORE % 'first-digit'},
    ]})
    pages = {'digits': (r[1], contract['generator']), 'clothes': (r[3], contract[clothes]),
             'draw': (r[5], contract['recogniser'])}
    for page, (seen, spec) in pages.items():
        paths = sorted(path for path, _ in seen['asked'])
        assert paths == first_model_files(spec), (page, paths)
        late = [(path, start) for path, start in seen['asked'] if start >= seen['codeRan']]
        assert late == [], (page, late, seen['codeRan'])
    webgl = sorted(path for path, _ in r[7]['asked'])
    assert webgl == first_model_files(contract['generator'], 'webgl'), webgl


OFFLINE_READY = """async () => { const registration = await navigator.serviceWorker.ready;
  while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 50));
  return registration.active.state; }"""


def test_both_pages_work_offline_after_one_visit(site, static_server, browser):
    url = static_server(site['dist'])
    r = browser([
        {'goto': url + '?seed=8'}, {'waitFor': READY},
        {'eval': 'async () => window.dcganTest.extrasLoaded()'}, {'eval': OFFLINE_READY},
        {'offline': True},
        {'goto': url + 'index.html?seed=31&view=grid'}, {'waitFor': READY}, {'eval': SETTLED},
        {'eval': "async () => [document.querySelector('#sheet').hidden, location.search]"},
        {'goto': url + 'draw.html'}, {'waitFor': READY},
        {'stroke': ['#draw', digit_drawing('7')[0]], 'units': True}, {'eval': SETTLED},
    ])
    assert r[3] == 'activated'
    assert r[8] == [False, '?digit=0&seed=31&view=grid']
    assert r[12]['prediction'] == '7'


def test_a_new_build_replaces_the_offline_copy(site, static_server, browser, tmp_path):
    copy = tmp_path / 'site'
    shutil.copytree(site['dist'], copy, ignore=shutil.ignore_patterns('models'))
    os.symlink(os.path.join(site['dist'], 'models'), copy / 'models')
    url = static_server(str(copy))
    # What a rebuild does: a changed page, so sw.js lists a new revision and a new build.
    (tmp_path / 'index.html').write_text(
        (copy / 'index.html').read_text().replace('<title>', '<title>v2 '))
    worker = (copy / 'sw.js').read_text()
    build = re.search(r'build"?:\s*"([0-9a-f]{16})"', worker).group(1)
    page = re.search(r'"index\.html":\s*"([0-9a-f]{16})"', worker).group(1)
    (tmp_path / 'sw.js').write_text(
        worker.replace(build, 'nextbuild0000000').replace(page, 'nextrevision0000'))
    r = browser([
        {'goto': url}, {'waitFor': READY}, {'eval': 'async () => window.dcganTest.extrasLoaded()'},
        {'eval': OFFLINE_READY}, {'eval': 'async () => caches.keys()'},
        {'copyFile': [str(tmp_path / 'index.html'), str(copy / 'index.html')]},
        {'copyFile': [str(tmp_path / 'sw.js'), str(copy / 'sw.js')]},
        {'eval': """async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          await registration.update();
          while (!(await caches.keys()).every((key) => key.endsWith('nextbuild0000000')))
            await new Promise((r) => setTimeout(r, 100));
          return caches.keys(); }"""},
        {'offline': True}, {'goto': url}, {'waitFor': READY},
        {'eval': 'async () => document.title'}])
    assert r[4] == ['digits-' + build]
    assert r[7] == ['digits-nextbuild0000000'] and r[11].startswith('v2 '), r[7:]

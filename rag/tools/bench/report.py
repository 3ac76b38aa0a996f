"""Result files of ``reportqa bench``: JSON, Markdown tables (also ``latest.md``) and the scale plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_results(results: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = results["date"].replace(":", "").replace("T", "-")[:15]
    paths = {"json": out_dir / f"{stem}.json", "md": out_dir / f"{stem}.md", "png": out_dir / f"{stem}.png"}
    paths["json"].write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["md"].write_text(markdown(results), encoding="utf-8")
    if not plot(results, paths["png"]):
        paths.pop("png")
    (out_dir / "latest.md").write_text(markdown(results), encoding="utf-8")
    return paths


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    parts = [f"# Benchmark {r['date']}{' (quick)' if r.get('quick') else ''}\n",
             f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; load average {m['load_avg_start']} → "
             f"{m.get('load_avg_end')} (shared CPU: compare ratios within this run). Embedding backend "
             f"`{r['settings']['embedding_backend']}`, index `{r['settings']['index_kind']}`; peak RSS "
             f"{r.get('peak_rss_mb')} MB.\n"]
    if isinstance(ing := r.get("ingest"), dict) and "error" not in ing:
        rows = []
        for corpus, phases in ing.items():
            if not isinstance(phases, dict):
                continue
            for phase, x in phases.items():
                if "error" in x:
                    rows.append([corpus, phase, x["error"]] + [""] * 7)
                    continue
                rows.append([corpus, phase, x["reports"], x["chunks"], x["reports_per_s"], x["chunks_per_s"],
                             x["embedded"], x["embedded_per_s"], x["model_load_s"], x["peak_rss_mb"]])
        parts.append("## Ingest and index\n\n" + _table(
            ["corpus", "run", "reports", "chunks", "reports/s", "chunks/s", "embedded", "embedded/s",
             "model load s", "peak RSS MB"], rows))
    if isinstance(emb := r.get("embedding"), dict) and "backends" in emb:
        rows = []
        for b, x in emb["backends"].items():
            q = x.get("quality", {})
            rows.append([b, x["passages_per_s_median"], x["passages_per_s_best"], f"{x['speedup_vs_fp32_median']}×",
                         x["cosine_vs_fp32_min"], x["query_p50_ms"],
                         *(q.get(ds, {}).get("modes", {}).get(mode, {}).get("R@5", "")
                           for ds in ("dev_qa", "ncp_policy_qa") for mode in ("dense", "hybrid"))])
        parts.append(f"## Embedding backends ({emb['passages']} seed passages, {emb['rounds']} interleaved rounds)\n\n"
                     + _table(["backend", "passages/s (median)", "best", "speed-up (per-round median)",
                               "min cosine to fp32", "query ms p50", "dev R@5 dense", "dev R@5 hybrid",
                               "ncp R@5 dense", "ncp R@5 hybrid"], rows))
    if isinstance(qry := r.get("query"), dict) and "search" in qry:
        rows = [[f"search {mode}", x["n"], x["p50_ms"], x["p95_ms"], x["p99_ms"], "", ""]
                for mode, x in qry["search"].items()]
        for engine, x in qry.get("ask", {}).items():
            ft = x.get("first_token")
            vs = x.get("vs_before")
            rows.append([f"ask {engine}", x["total"]["n"], x["total"]["p50_ms"], x["total"]["p95_ms"],
                         x["total"]["p99_ms"], f"{ft['p50_ms']} / {ft['p95_ms']}" if ft else "",
                         f"{vs['first_token_p50']}× / {vs['total_p50']}×" if vs else ""])
        parts.append(f"## Query latency (warm, {qry['corpus']}: {qry['chunks']} chunks)\n\n" + _table(
            ["operation", "n", "p50 ms", "p95 ms", "p99 ms", "first token p50 / p95 ms",
             "vs local before: first token / total p50"], rows))
    if isinstance(sc := r.get("scale"), dict) and "vectors" in sc:
        rows = []
        for x in sc["vectors"] + sc["lexical"]:
            if "skipped" in x:
                rows.append([f"{x['n']:,}", x["index"], x["skipped"], "", "", "", ""])
                continue
            memory = x.get("memory_mb", "")
            rows.append([f"{x['n']:,}", x["index"], x["build_s"], memory if memory != "" else f"{x['disk_mb']} (disk)",
                         x["p50_ms"], x["p95_ms"], x.get("recall@10_vs_flat", "")])
        parts.append("## Scale (synthetic corpora)\n\n" + _table(
            ["chunks", "index", "build s", "memory MB", "query p50 ms", "query p95 ms", "recall@10 vs flat"], rows))
        if milvus := milvus_markdown(sc.get("milvus") or []):
            parts.append(milvus)
    if isinstance(ql := r.get("quality"), dict) and "error" not in ql:
        rows = []
        for ds, x in ql.items():
            for mode, v in x.get("modes", {}).items():
                rows.append([f"{ds} ({x['n']})", mode, v["R@1"], v["R@5"], v["R@10"], v["MRR@10"],
                             f"{v['p50_ms']} / {v['p95_ms']}"])
        parts.append("## Retrieval quality (BM25 = baseline)\n\n" + _table(
            ["dataset", "mode", "R@1", "R@5", "R@10", "MRR@10", "p50 / p95 ms"], rows))
        if national := national_markdown(ql):
            parts.append(national)
        parts += [f"**quality**: {x['skipped']}\n" for x in ql.values() if isinstance(x, dict) and "skipped" in x]
    if isinstance(ld := r.get("load"), dict) and "skipped" not in ld and "error" not in ld:
        rows = [[name, x["clients"], x["seconds"], x["requests"], x["ok"], x["busy_503"], x["errors"],
                 x["throughput_rps"], x["p50_ms"], x["p95_ms"]] for name, x in ld.items()]
        parts.append("## REST load (127.0.0.1)\n\n" + _table(
            ["endpoint", "clients", "s", "requests", "ok", "busy 503", "errors", "ok/s", "p50 ms", "p95 ms"], rows))
    for name in ("ingest", "embedding", "query", "scale", "quality", "load"):
        x = r.get(name)
        if isinstance(x, dict) and ("error" in x or "skipped" in x):
            parts.append(f"**{name}**: {x.get('error') or x.get('skipped')}\n")
    return "\n".join(parts)


def milvus_markdown(rows: list[dict[str, Any]]) -> str:
    """The Milvus Lite rows of the scale section ('' for none: results from before they existed)."""
    table, notes = [], []
    for x in rows:
        if "n" not in x:
            notes.append(f"**Milvus Lite**: {x.get('skipped') or x.get('error')}\n")
        elif "skipped" in x or "error" in x:
            table.append([f"{x['n']:,}", x["index"], x.get("skipped") or x.get("error")] + [""] * 8)
        else:
            table.append([f"{x['n']:,}", x["index"], x["build_s"], x["first_query_s"], x["memory_mb"],
                          x["peak_mb"], x["disk_mb"], x["p50_ms"], x["p95_ms"], x.get("recall@10_vs_flat", ""),
                          x.get("overlap@10_vs_fts5", "")])
    if not table:
        return "\n".join(notes)
    return ("### Milvus Lite (same vectors and chunks, one collection per row)\n\nBuild: insert, flush, "
            "background index build, load and the first query (BM25 posting lists are built then). Memory: "
            "growth of the process's resident memory (the engine runs in-process), peak during the build.\n\n"
            + _table(["chunks", "index", "build s", "first query s", "memory MB", "peak MB", "disk MB",
                      "query p50 ms", "query p95 ms", "recall@10 vs flat", "top-10 overlap vs FTS5"], table)
            + "".join("\n" + note for note in notes))


def national_markdown(quality: dict[str, Any]) -> str:
    """The answer and per-language tables of the national rows ('' when there are none)."""
    sets = {name: x for name, x in quality.items() if isinstance(x, dict) and "answers" in x}
    if not sets:
        return ""
    rows = []
    for name, x in sets.items():
        a = x["answers"]
        rows.append([f"{name} ({a['n']})", a["engine"], a["answer_accuracy"], a["citation_accuracy"],
                     a["refusal_accuracy"], a["wrong_year"], f"{a['p50_ms']} / {a['p95_ms']}"])
    lang_rows = []
    for name, x in sets.items():
        answer_langs = x["answers"].get("by_lang", {})
        for lang in sorted(set(x.get("by_lang", {})) | set(answer_langs)):
            modes = x.get("by_lang", {}).get(lang, {})
            hybrid = modes.get("hybrid") or next(iter(modes.values()), {})
            answers = answer_langs.get(lang, {})
            lang_rows.append([name, lang, hybrid.get("n", ""), hybrid.get("R@1", ""), hybrid.get("R@5", ""),
                              answers.get("n", ""), answers.get("answer_accuracy", ""),
                              answers.get("wrong_year", "")])
    library = next(iter(sets.values()))["library"]
    return (f"## National library ({library})\n\nAnswers (wrong-year: a figure stated for a year whose report "
            "does not back it; the ask latency is warm):\n\n"
            + _table(["set", "engine", "answer accuracy", "citation accuracy", "refusal accuracy", "wrong-year",
                     "ask p50 / p95 ms"], rows)
            + "\nPer question language (retrieval: hybrid, or the only mode run):\n\n"
            + _table(["set", "lang", "questions", "R@1", "R@5", "answers", "answer accuracy", "wrong-year"],
                    lang_rows))


def plot(r: dict[str, Any], path: Path) -> bool:
    scale = r.get("scale")
    if not isinstance(scale, dict) or "vectors" not in scale:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    series: dict[str, list[tuple[int, float, float]]] = {}
    for x in scale["vectors"] + scale["lexical"] + scale.get("milvus", []):
        if "p95_ms" in x:
            series.setdefault(x["index"], []).append((x["n"], x["p95_ms"], x["build_s"]))
    for name, points in series.items():
        points.sort()
        ns = [p[0] for p in points]
        left.plot(ns, [p[1] for p in points], marker="o", label=name)
        right.plot(ns, [p[2] for p in points], marker="o", label=name)
    for ax, title in ((left, "query latency p95 (ms)"), (right, "index build time (s)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("corpus size (chunks)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(f"ReportQA scale benchmark {r['date']} ({r['machine']['cores']} cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True

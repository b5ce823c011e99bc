/// The portal's stylesheet: system fonts, rem sizes and wrapping layouts, so that the page stays
/// readable and usable at 200 % zoom; visible focus everywhere for keyboard use.
enum PortalStyle {
    static let source = #"""
        :root { --accent: #0b5cad; --accent-dark: #084785; --text: #1b1b1b; --muted: #5a5a5a; --line: #c8c8c8;
          --bad: #a4262c; --good: #107c10; --warn: #8a5a00; --panel: #f5f7fa; color-scheme: light; }
        * { box-sizing: border-box; }
        html { font-size: 100%; }
        body { margin: 0; font-family: system-ui, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--text); background: #fff; line-height: 1.45; }
        .top { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: baseline; padding: 0.6rem 1rem; background: #1f2a37; color: #fff; }
        .brand { font-weight: 700; }
        .crumb { color: #d0d7de; }
        .whoami { margin-left: auto; color: #d0d7de; }
        .top .link-button { color: #fff; }
        main { padding: 1rem; max-width: 90rem; }
        main:focus { outline: none; }
        h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.25rem 0 0.5rem; }
        .muted, .hint { color: var(--muted); }
        .hint { font-size: 0.875rem; margin: 0.2rem 0 0; }
        .error, .field-error { color: var(--bad); margin: 0.25rem 0; }
        .error:empty, .field-error:empty { display: none; }
        .field-error { font-size: 0.9rem; font-weight: 600; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        [hidden] { display: none !important; }

        button { font: inherit; padding: 0.35rem 0.9rem; border: 1px solid var(--line); border-radius: 0.25rem; background: #fff; color: var(--text); cursor: pointer; }
        button:hover { background: #eef2f6; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.primary:hover { background: var(--accent-dark); }
        button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
        button:disabled { opacity: 0.6; cursor: progress; }
        .link-button { border: none; background: none; padding: 0; text-decoration: underline; color: var(--accent); }
        .link-button:hover { background: none; }
        :focus-visible { outline: 3px solid #ffb900; outline-offset: 2px; }

        .toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 0.75rem; }
        .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.75rem; }

        .form { max-width: 48rem; }
        .form.narrow { max-width: 26rem; }
        fieldset { border: 1px solid var(--line); border-radius: 0.25rem; margin: 0 0 1rem; padding: 0.5rem 1rem 1rem; }
        legend { font-weight: 700; padding: 0 0.3rem; }
        .field { display: flex; flex-direction: column; margin-top: 0.75rem; min-width: 0; }
        label { font-weight: 600; margin-bottom: 0.2rem; }
        input, select { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #8a8a8a; border-radius: 0.2rem; max-width: 100%; background: #fff; color: var(--text); }
        input[aria-invalid="true"], select[aria-invalid="true"] { border-color: var(--bad); border-width: 2px; }
        .filter-row { background: var(--panel); }
        .filter-fields .field { justify-content: flex-end; }
        .filter-fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr)); gap: 0 0.75rem; }
        .remove-filter { margin-top: 0.75rem; }

        .table-wrap { position: relative; overflow-x: auto; border: 1px solid var(--line); border-radius: 0.25rem; }
        table { border-collapse: collapse; width: 100%; }
        caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
        th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
        th { background: var(--panel); font-weight: 600; white-space: nowrap; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        td.actions-cell { width: 3rem; }
        .status { font-weight: 600; }
        .status-Running { color: var(--good); }
        .status-Error { color: var(--bad); }
        .status-NotStarted, .status-Unknown { color: var(--warn); }
        .menu-button { padding: 0.1rem 0.6rem; font-weight: 700; }
        .menu { position: fixed; z-index: 10; display: flex; flex-direction: column; min-width: 8rem;
          background: #fff; border: 1px solid var(--line); border-radius: 0.25rem; box-shadow: 0 0.25rem 1rem rgba(0, 0, 0, 0.18); padding: 0.25rem 0; }
        .menu button { border: none; border-radius: 0; text-align: left; padding: 0.45rem 1rem; }
        .menu button:focus-visible { outline-offset: -3px; }

        dialog { border: 1px solid var(--line); border-radius: 0.35rem; padding: 1rem 1.25rem; max-width: min(32rem, 95vw); }
        dialog::backdrop { background: rgba(0, 0, 0, 0.35); }
        dialog h2 { margin-top: 0; }

        .details-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 0 2rem; }
        .settings { display: grid; grid-template-columns: minmax(8rem, max-content) minmax(0, 1fr); gap: 0.3rem 1rem; margin: 0; }
        .settings dt { font-weight: 600; }
        .settings dd { margin: 0; overflow-wrap: anywhere; }
        .bpf { display: inline-block; background: var(--panel); padding: 0.3rem 0.5rem; border-radius: 0.2rem; overflow-wrap: anywhere; }
        .files { padding-left: 1.25rem; }
        .chart { max-width: 48rem; border: 1px solid var(--line); border-radius: 0.25rem; padding: 0.5rem; }
        .chart svg { width: 100%; height: auto; display: block; }
        .chart .grid { stroke: #e4e4e4; stroke-width: 1; }
        .chart .packets { stroke: var(--accent); stroke-width: 2; fill: none; }
        .chart .drops { stroke: var(--bad); stroke-width: 2; fill: none; stroke-dasharray: 6 3; }
        .chart text { font-size: 12px; fill: var(--muted); }
        .legend { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0.25rem 0 0; padding: 0; list-style: none; }
        .legend .swatch { display: inline-block; width: 1.5rem; height: 0.2rem; vertical-align: middle; margin-right: 0.4rem; }
        .legend .swatch.packets { background: var(--accent); }
        .legend .swatch.drops { background: var(--bad); }
        .summary-tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem 2rem; }
        .summary-tables table { width: auto; min-width: 100%; }
        """#
}

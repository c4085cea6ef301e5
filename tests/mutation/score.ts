// Scores a Stryker JSON report (mutation-testing-report-schema) for one module,
// leaving out the mutants listed as equivalent in tests/mutation/equivalent.json.
import { existsSync, readFileSync } from 'node:fs';

/**
 * A mutant that cannot change what the program does, so no test can kill it.
 * Matched by file, the mutator, its replacement and the source line it is on
 * (trimmed), so that the entry survives code moving up or down in the file.
 */
export interface Equivalent { file: string; line: string; mutator: string; replacement: string; reason: string }

interface Pos { line: number; column: number }
interface ReportMutant {
  id: string; mutatorName: string; replacement?: string; status: string; statusReason?: string;
  location: { start: Pos; end: Pos }; static?: boolean; testsCompleted?: number;
}
interface Report { files: Record<string, { source: string; mutants: ReportMutant[] }> }

export interface ModuleScore {
  module: string; target: number; floor?: number; score: number | null; minutes: number;
  killed: number; timeout: number; survived: number; noCoverage: number; equivalent: number; compileErrors: number;
  /** Static mutants reported surviving with no test run: the module no longer loads, so no test file can even import it (counted as killed). */
  loadFailures: number;
  /** Other mutants reported surviving with no test run (stryker-js #6213): not measured, left out of the score, listed. */
  unmeasured: number;
  survivors: Array<{ file: string; line: number; text: string }>;
  staleEquivalents: string[];
}

export function loadEquivalents(file: string): Equivalent[] {
  if (!existsSync(file)) return [];
  const list = JSON.parse(readFileSync(file, 'utf8')) as Equivalent[];
  for (const e of list) {
    if (!e.file || !e.line || !e.mutator || e.replacement === undefined || !e.reason?.trim()) {
      throw new Error(`equivalent.json: every entry needs file, line, mutator, replacement and a reason: ${JSON.stringify(e)}`);
    }
  }
  return list;
}

export function matchEquivalent(list: Equivalent[], file: string, lineText: string, m: ReportMutant): Equivalent | undefined {
  const line = lineText.trim();
  return list.find((e) => e.file === file && e.mutator === m.mutatorName && e.replacement === (m.replacement ?? '') && e.line === line);
}

export function scoreReport(module: string, report: Report, target: number, equivalents: Equivalent[], minutes: number, floor?: number): ModuleScore {
  const s: ModuleScore = {
    module, target, floor, score: null, minutes, killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, compileErrors: 0, loadFailures: 0, unmeasured: 0,
    survivors: [], staleEquivalents: [],
  };
  const used = new Set<Equivalent>();
  const files = Object.keys(report.files).sort();
  // Equivalents are judged only for the files of this report.
  const mine = equivalents.filter((e) => files.includes(e.file));
  for (const file of files) {
    const f = report.files[file]!;
    const lines = f.source.split('\n');
    for (const m of f.mutants) {
      const lineText = lines[m.location.start.line - 1] ?? '';
      if (m.status === 'Survived' && m.testsCompleted === 0) {
        // Stryker's vitest runner reports a mutant whose run executed no test as surviving.
        if (m.static) { s.loadFailures++; continue; }
        s.unmeasured++;
        s.survivors.push({ file, line: m.location.start.line, text: `${file}:${m.location.start.line}:${m.location.start.column} NOT MEASURED (no test ran) ${m.mutatorName} → ${JSON.stringify(m.replacement ?? '')} | ${lineText.trim().slice(0, 120)}` });
        continue;
      }
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const eq = matchEquivalent(mine, file, lineText, m);
        if (eq) { used.add(eq); s.equivalent++; continue; }
        if (m.status === 'Survived') s.survived++; else s.noCoverage++;
        s.survivors.push({
          file, line: m.location.start.line,
          text: `${file}:${m.location.start.line}:${m.location.start.column} ${m.status === 'NoCoverage' ? 'NO COVERAGE' : 'survived'} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? '')} | ${lineText.trim().slice(0, 120)}`,
        });
      } else if (m.status === 'Killed') s.killed++;
      else if (m.status === 'Timeout') s.timeout++;
      else if (m.status === 'CompileError') s.compileErrors++;
    }
  }
  for (const e of mine) if (!used.has(e)) s.staleEquivalents.push(`${e.file} ${e.mutator} → ${e.replacement} | ${e.line}`);
  const detected = s.killed + s.timeout + s.loadFailures;
  const valid = detected + s.survived + s.noCoverage;
  s.score = valid ? (100 * detected) / valid : null;
  return s;
}

/**
 * The parts of Grafana's dashboard JSON model (schemaVersion 42) the dashboard uses, as Grafana's
 * own schema declares them (the fields of `Dashboard`, `Panel`, `RowPanel`, `VariableModel` and
 * Loki's `dataquery` in Grafana's dashboard schema v1). Types only: they compile to nothing.
 */

/** A datasource, by type and uid (a variable such as `${datasource}` included). */
export interface DataSourceRef {
  type: string;
  uid: string;
}

/** Where a panel sits: 24 columns wide, rows of 30 px. */
export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A Loki query of a panel. */
export interface LokiQuery {
  expr: string;
  datasource: DataSourceRef;
  refId: string;
  legendFormat?: string;
  /** "range" (lines or series over the time range) or "instant" (one value per series). */
  queryType?: "range" | "instant";
}

export interface Panel {
  type: string;
  transparent: boolean;
  repeatDirection: "h" | "v";
  options?: Record<string, unknown>;
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  title?: string;
  description?: string;
  datasource?: DataSourceRef;
  targets?: LokiQuery[];
  gridPos?: GridPos;
}

export interface RowPanel {
  type: "row";
  collapsed: boolean;
  id: number;
  panels: Panel[];
  title: string;
  gridPos: GridPos;
}

export interface DashboardVariable {
  type: "query" | "custom" | "textbox" | "datasource";
  name: string;
  skipUrlSync: boolean;
  multi: boolean;
  allowCustomValue: boolean;
  includeAll: boolean;
  auto: boolean;
  auto_min: string;
  auto_count: number;
  label: string;
  datasource?: DataSourceRef;
  query?: string;
  definition?: string;
  /** 1: on dashboard load; 2: on time range change. */
  refresh?: 1 | 2;
  /** 1: alphabetical, ascending. */
  sort?: number;
  allValue?: string;
  current?: { text: string; value: string };
}

export interface Dashboard {
  timezone: string;
  editable: boolean;
  /** 0: no shared crosshair or tooltip. */
  graphTooltip: 0 | 1 | 2;
  fiscalYearStartMonth: number;
  schemaVersion: number;
  templating: { list: DashboardVariable[] };
  annotations: Record<string, unknown>;
  title: string;
  uid: string;
  description: string;
  tags: string[];
  time: { from: string; to: string };
  refresh: string;
  panels: (Panel | RowPanel)[];
}

/** What a page hands back to the shell: its title, its content, and what to do on new events. */
export interface View {
  title: string;
  node: HTMLElement;
  /** Set when the page sent the reader elsewhere: nothing is drawn, the next page comes with hashchange. */
  redirected?: boolean;
  /** True once the reader has loaded more pages: live updates then offer a refresh instead of redrawing. */
  paged(): boolean;
  /** Called once the page is in the document: charts and graphs measure their container to draw. */
  attached?(): void;
  /** Frees what the page holds (charts, graphs) before it is replaced. */
  dispose?(): void;
}

/** Where `run` writes: a stream that may be a terminal. */
export interface LiveOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** A status line that redraws itself on a terminal; elsewhere (logs, pipes) one line per change. */
export interface LiveLine {
  /** Shows `line` as the current status: redrawn in place on a terminal, else printed when it changed. */
  update(line: string): void;
  /** Prints a line of its own above the status line. */
  print(line: string): void;
  /** Ends the status line, so whatever follows starts on a fresh line. */
  end(): void;
}

// Carriage return, then ANSI "erase entire line" (CSI 2 K), so a shorter line leaves no tail behind.
const REDRAW = '\r\x1b[2K';

export function liveLine(out: LiveOutput): LiveLine {
  let shown: string | undefined;
  let open = false;
  return {
    update(line) {
      if (out.isTTY) {
        out.write(`${REDRAW}${line}`);
        open = true;
      } else if (line !== shown) {
        out.write(`${line}\n`);
      }
      shown = line;
    },
    print(line) {
      out.write(out.isTTY && open ? `${REDRAW}${line}\n${shown ?? ''}` : `${line}\n`);
    },
    end() {
      if (open) out.write('\n');
      open = false;
    },
  };
}

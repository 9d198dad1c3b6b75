// A ranking function is a `WindowFn`, not an expression, until `.over(window)`: it cannot be
// used as one (here: ordered by) without its window.
use cinnabar::prelude::*;

fn main() {
    let _ = row_number().desc();
}

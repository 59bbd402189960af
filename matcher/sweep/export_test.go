package sweep

// SetOneAtATime makes w match pages a profile at a time instead of in
// blocks, so tests can compare the two.
func SetOneAtATime(w *Worker, on bool) { w.oneAtATime = on }

package transfer

// SetDeferMinRowsForTest lowers the size from which an import defers the
// indexes of people, so that tests need not write 50,000 rows; the
// returned function restores it.
func SetDeferMinRowsForTest(n int) func() {
	old := deferMinRows
	deferMinRows = n
	return func() { deferMinRows = old }
}

package jptext

// maxAlignCells bounds the alignment table (runes of a times runes of b,
// after the common prefix and suffix are set aside). Names and addresses
// are far below it (an address is at most 200 characters, docs/certificates.md
// "Certificates": 40,000 cells); beyond it the differing middle is
// reported as one Difference, which is still a difference, never a false
// equality.
const maxAlignCells = 1 << 18

// hunk is a stretch a[a0:a1] that differs from b[b0:b1]; one side may be
// empty.
type hunk struct{ a0, a1, b0, b1 int }

// diff aligns a and b by their keys (a longest common subsequence) and
// returns the differing stretches in order, with each side's aligned
// index into the other (-1 for characters inside a stretch).
func diff(a, b []unit) (hs []hunk, aToB, bToA []int) {
	aToB, bToA = fill(len(a)), fill(len(b))
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre].key == b[pre].key {
		aToB[pre], bToA[pre] = pre, pre
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf].key == b[len(b)-1-suf].key {
		i, j := len(a)-1-suf, len(b)-1-suf
		aToB[i], bToA[j] = j, i
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	switch {
	case len(ma) == 0 && len(mb) == 0:
		return nil, aToB, bToA
	case len(ma) == 0 || len(mb) == 0 || len(ma)*len(mb) > maxAlignCells:
		return []hunk{{pre, pre + len(ma), pre, pre + len(mb)}}, aToB, bToA
	}
	pairs := lcs(ma, mb)
	// Walk the matched pairs; whatever lies between two of them differs.
	i, j := 0, 0
	for _, p := range append(pairs, [2]int{len(ma), len(mb)}) {
		if p[0] > i || p[1] > j {
			hs = append(hs, hunk{pre + i, pre + p[0], pre + j, pre + p[1]})
		}
		if p[0] < len(ma) {
			aToB[pre+p[0]], bToA[pre+p[1]] = pre+p[1], pre+p[0]
		}
		i, j = p[0]+1, p[1]+1
	}
	return hs, aToB, bToA
}

// lcs returns the index pairs of a longest common subsequence of a and b
// by key, in order. Ties prefer matching earlier in a, so the result is
// deterministic.
func lcs(a, b []unit) [][2]int {
	n, m := len(a), len(b)
	// t[i*(m+1)+j] is the LCS length of a[i:] and b[j:].
	t := make([]int32, (n+1)*(m+1))
	at := func(i, j int) int32 { return t[i*(m+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			v := max(at(i+1, j), at(i, j+1))
			if a[i].key == b[j].key {
				v = at(i+1, j+1) + 1
			}
			t[i*(m+1)+j] = v
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i].key == b[j].key:
			out = append(out, [2]int{i, j})
			i++
			j++
		case at(i+1, j) >= at(i, j+1):
			i++
		default:
			j++
		}
	}
	return out
}

func fill(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

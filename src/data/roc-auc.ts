/**
 * Area under the ROC curve of `scores` for binary `positive` labels: the probability that a random positive
 * scores above a random negative (ties count one half), by the rank-sum (Mann–Whitney U) formula with
 * average ranks for ties. O(n log n). @throws RangeError when either class is empty or lengths differ.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length
  if (positive.length !== n) throw new RangeError(`${n} scores but ${positive.length} labels`)
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b])
  let rankSumPos = 0
  let pos = 0
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++
    const rank = (i + j) / 2 + 1 // average rank of the tie group, 1-based
    for (let k = i; k <= j; k++)
      if (positive[order[k]]) {
        rankSumPos += rank
        pos++
      }
    i = j + 1
  }
  const neg = n - pos
  if (pos === 0 || neg === 0) throw new RangeError('ROC AUC needs both positive and negative rows')
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg)
}

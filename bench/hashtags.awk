# Counts the hashtags in the "text" member of NDJSON posts, the way awk
# users do it: no JSON parser.  The member's raw string is found with
# regular expressions, escapes not decoded: each escaped backslash or quote
# becomes two spaces, so that the string ends at the first quote left.
# Every '#' followed by [[:alnum:]_] characters in it counts,
# case-sensitively.  Prints "COUNT #TAG" lines in no order, for sort -rn.
{
	if (!match($0, /"text":[ ]*"/))
		next
	s = substr($0, RSTART + RLENGTH)
	gsub(/\\[\\"]/, "  ", s)
	s = substr(s, 1, index(s, "\"") - 1)
	while (match(s, /#[[:alnum:]_]+/)) {
		n[substr(s, RSTART, RLENGTH)]++
		s = substr(s, RSTART + RLENGTH)
	}
}
END {
	for (t in n)
		print n[t], t
}

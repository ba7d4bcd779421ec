package seal

import (
	"strings"
	"unicode"
)

// MaskBirthDate shows a birth date as its year only ("1985-**-**"), the
// form of lists and exports (PRIV-3). An empty date stays empty; one
// without a leading four-digit year is fully masked.
func MaskBirthDate(date string) string {
	if date == "" {
		return ""
	}
	if len(date) >= 4 && isDigits(date[:4]) {
		return date[:4] + "-**-**"
	}
	return "****-**-**"
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// buildingMarkers end the building part of an address.
var buildingMarkers = []string{"号楼", "号院", "栋", "幢", "座"}

// roomWords are the words of the parts below a building: unit, room,
// household, floor.
var roomWords = []string{"单元", "室", "户", "层", "楼"}

// MaskAddress cuts an address at building level for lists and exports
// (PRIV-3): it keeps everything up to and including the last building
// marker (号楼, 号院, 栋, 幢, 座) when only unit/room parts (2单元301室,
// 5层, 1203) follow it; without such a marker it cuts before the first
// numbered 单元/室/户 part. "…" marks a cut; an address with nothing
// below building level is returned as it is.
func MaskAddress(addr string) string {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return ""
	}
	end := -1
	for _, m := range buildingMarkers {
		if i := strings.LastIndex(addr, m); i >= 0 && i+len(m) > end {
			end = i + len(m)
		}
	}
	if end >= 0 {
		rest := addr[end:]
		if rest == "" {
			return addr
		}
		if roomPart(rest) {
			return addr[:end] + "…"
		}
	}
	if i := firstRoomPart(addr); i > 0 {
		return strings.TrimSpace(addr[:i]) + "…"
	}
	return addr
}

// numeral reports whether r may number a unit, floor or room.
func numeral(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '０' && r <= '９' ||
		strings.ContainsRune("一二三四五六七八九十零〇-－#", r)
}

// roomPart reports whether s holds only unit/room parts: numerals and
// the room words, with at least one numeral.
func roomPart(s string) bool {
	hasNum := false
	for len(s) > 0 {
		word := false
		for _, w := range append(roomWords, "号") {
			if strings.HasPrefix(s, w) {
				s, word = s[len(w):], true
				break
			}
		}
		if word {
			continue
		}
		r := []rune(s)[0]
		if !numeral(r) && !unicode.IsSpace(r) {
			return false
		}
		hasNum = hasNum || numeral(r)
		s = s[len(string(r)):]
	}
	return hasNum
}

// firstRoomPart returns the byte offset of the first numbered 单元, 室 or
// 户 part (the numerals before the word included), or -1.
func firstRoomPart(addr string) int {
	best := -1
	for _, w := range []string{"单元", "室", "户"} {
		from := 0
		for {
			i := strings.Index(addr[from:], w)
			if i < 0 {
				break
			}
			i += from
			start := i
			for start > 0 {
				r := []rune(addr[:start])
				if !numeral(r[len(r)-1]) {
					break
				}
				start -= len(string(r[len(r)-1]))
			}
			if start < i {
				if best < 0 || start < best {
					best = start
				}
				break
			}
			from = i + len(w)
		}
	}
	return best
}

package confirm

import "github.com/mynacard/mynacard/internal/jptext"

// HasSubstitutes reports whether the name or the address holds a
// substitute character (代替文字): then neither may be presented as exact.
func (a *Attributes) HasSubstitutes() bool {
	return a != nil && (jptext.HasSubstitutes(a.Name, a.NameSubstitutes) || jptext.HasSubstitutes(a.Address, a.AddressSubstitutes))
}

// MarkedName returns Name with each substitute character wrapped in
// 〔 and 〕 (jptext.SubstituteMarkers): "渡〔邉〕　花子" tells the clerk to
// compare the second character with the card face. It is Name when there
// is none.
func (a *Attributes) MarkedName() string {
	if a == nil {
		return ""
	}
	return jptext.SubstituteMarkers(a.Name, a.NameSubstitutes)
}

// MarkedAddress returns Address marked as MarkedName marks Name.
func (a *Attributes) MarkedAddress() string {
	if a == nil {
		return ""
	}
	return jptext.SubstituteMarkers(a.Address, a.AddressSubstitutes)
}

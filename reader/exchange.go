package reader

import (
	"context"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
)

// maxGetResponse bounds the GET RESPONSE chain so a card that keeps
// answering 61xx cannot hold the caller forever (ISO/IEC 7816-4 §5.3.4
// sets no limit; 256 chains of 256 bytes exceed any EF of this card).
const maxGetResponse = 256

// Exchange sends cmd over t and returns the complete response: it follows
// 61xx with GET RESPONSE (§5.3.4, chaining the data), and resends the
// command once with Le = xx on 6Cxx. Commands are encoded with short
// length fields unless extended is true and the command needs them; a
// command that needs extended length on a short-only path fails with
// apdu.ErrTooLong before anything is sent.
//
// The returned Response may carry any status word; call Response.Err to
// turn it into an error. Transport errors are returned as they are.
func Exchange(ctx context.Context, t Transport, cmd apdu.Command, extended bool) (apdu.Response, error) {
	raw, err := encode(cmd, extended)
	if err != nil {
		return apdu.Response{}, err
	}
	resp, err := transmit(ctx, t, raw)
	if err != nil {
		return apdu.Response{}, err
	}
	if resp.SW1() == 0x6C { // wrong Le: resend with Le = SW2 (§5.6, table 6)
		retry := cmd
		retry.Ne = int(resp.SW2())
		if retry.Ne == 0 {
			retry.Ne = apdu.MaxShortNe
		}
		if raw, err = encode(retry, extended); err != nil {
			return apdu.Response{}, err
		}
		if resp, err = transmit(ctx, t, raw); err != nil {
			return apdu.Response{}, err
		}
	}
	if resp.SW1() != 0x61 {
		return resp, nil
	}
	data := append([]byte(nil), resp.Data...)
	for i := 0; resp.SW1() == 0x61; i++ {
		if i == maxGetResponse {
			return apdu.Response{}, fmt.Errorf("reader: card kept answering 61xx after %d GET RESPONSE commands", maxGetResponse)
		}
		ne := int(resp.SW2())
		if ne == 0 {
			ne = apdu.MaxShortNe
		}
		get := apdu.Command{CLA: cmd.CLA &^ 0x80 &^ 0x0C, INS: apdu.InsGetResponse, Ne: ne}
		raw, _ := get.ShortBytes()
		if resp, err = transmit(ctx, t, raw); err != nil {
			return apdu.Response{}, err
		}
		data = append(data, resp.Data...)
	}
	resp.Data = data
	return resp, nil
}

// Do is Exchange followed by Response.Err: it returns the data of a 9000
// response and a *apdu.StatusError for anything else.
func Do(ctx context.Context, t Transport, cmd apdu.Command, extended bool) ([]byte, error) {
	resp, err := Exchange(ctx, t, cmd, extended)
	if err != nil {
		return nil, err
	}
	if err := resp.Err(); err != nil {
		return resp.Data, err
	}
	return resp.Data, nil
}

func encode(cmd apdu.Command, extended bool) ([]byte, error) {
	if extended {
		return cmd.Bytes()
	}
	return cmd.ShortBytes()
}

func transmit(ctx context.Context, t Transport, raw []byte) (apdu.Response, error) {
	if err := ctx.Err(); err != nil {
		return apdu.Response{}, err
	}
	out, err := t.Transmit(ctx, raw)
	if err != nil {
		return apdu.Response{}, err
	}
	return apdu.ParseResponse(out)
}

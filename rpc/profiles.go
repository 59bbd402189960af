package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/twitchtv/twirp"

	"github.com/zhida/zhida/matcher"
	"github.com/zhida/zhida/matcher/sweep"
	pb "github.com/zhida/zhida/rpc/zhidav1"
	"github.com/zhida/zhida/store"
)

// MaxBulkProfiles bounds one BulkUpsert (one store transaction).
const MaxBulkProfiles = 5000

// ProfilesService implements the Profiles service: government data owners
// push CONTRACT §1 profiles with the data-owner token (not the editors':
// who may change people's data is not who may edit policies).
type ProfilesService struct {
	store  store.Profiles
	parser *matcher.Parser
	owners tokenChecker
	log    *slog.Logger
}

// tokenChecker refuses a call without the right bearer token.
type tokenChecker interface {
	Require(ctx context.Context) error
}

// NewProfiles returns the Profiles service; owners checks the data-owner
// token (see NewToken); idCardKey hashes 身份证号 (a profile with an id_card
// is refused when it is empty).
func NewProfiles(st store.Profiles, idCardKey []byte, owners tokenChecker, log *slog.Logger) *ProfilesService {
	return &ProfilesService{store: st, parser: matcher.NewParser(matcher.ParseOptions{IDCardKey: idCardKey}),
		owners: owners, log: log}
}

var _ pb.Profiles = (*ProfilesService)(nil)

// parse validates one profile object; the error is a *matcher.LineError.
func (s *ProfilesService) parse(js string) (store.ProfileRecord, error) {
	p, err := s.parser.ParseLine([]byte(strings.TrimSpace(js)), 1)
	if err != nil {
		return store.ProfileRecord{}, err
	}
	return sweep.Record(&p)
}

// lineError splits a parse error into the key and the reason (which never
// holds a 身份证号 or contact handle).
func lineError(err error) (field, msg string) {
	var le *matcher.LineError
	if errors.As(err, &le) {
		return le.Field, le.Err.Error()
	}
	return "", err.Error()
}

// Upsert validates and stores one profile.
func (s *ProfilesService) Upsert(ctx context.Context, req *pb.UpsertProfileRequest) (*pb.UpsertProfilesResponse, error) {
	if err := s.owners.Require(ctx); err != nil {
		return nil, err
	}
	rec, err := s.parse(req.Json)
	if err != nil {
		field, msg := lineError(err)
		if field == "" {
			field = "json"
		}
		return nil, twirp.InvalidArgumentError(field, msg)
	}
	res, err := s.store.UpsertProfiles(ctx, []store.ProfileRecord{rec})
	if err != nil {
		return nil, twirpError(ctx, s.log, "", err)
	}
	return upsertResponse(res, nil), nil
}

// BulkUpsert stores the good profiles of a batch and reports the bad ones.
func (s *ProfilesService) BulkUpsert(ctx context.Context, req *pb.BulkUpsertProfilesRequest) (*pb.UpsertProfilesResponse, error) {
	if err := s.owners.Require(ctx); err != nil {
		return nil, err
	}
	if len(req.Json) > MaxBulkProfiles {
		return nil, twirp.InvalidArgumentError("json", fmt.Sprintf("%d profiles; at most %d per call", len(req.Json), MaxBulkProfiles))
	}
	var errs []*pb.ItemError
	recs := make([]store.ProfileRecord, 0, len(req.Json))
	for i, js := range req.Json {
		rec, err := s.parse(js)
		if err != nil {
			field, msg := lineError(err)
			errs = append(errs, &pb.ItemError{Index: int32(i), Field: field, Message: msg})
			continue
		}
		recs = append(recs, rec)
	}
	var res store.UpsertResult
	if len(recs) > 0 {
		var err error
		if res, err = s.store.UpsertProfiles(ctx, recs); err != nil {
			return nil, twirpError(ctx, s.log, "", err)
		}
	}
	s.log.InfoContext(ctx, "profiles upserted", "inserted", res.Inserted, "updated", res.Updated,
		"unchanged", res.Unchanged, "bad", len(errs))
	return upsertResponse(res, errs), nil
}

func upsertResponse(r store.UpsertResult, errs []*pb.ItemError) *pb.UpsertProfilesResponse {
	return &pb.UpsertProfilesResponse{Inserted: int32(r.Inserted), Updated: int32(r.Updated),
		Unchanged: int32(r.Unchanged), Errors: errs}
}

// Command hakuriver-client is a HakuRiver client in Go, compiled against the
// stubs generated from proto/ into gen/go and Debian's grpc-go and protobuf
// sources (GOPATH mode, no module download).
//
// Usage: hakuriver-client HOST:PORT TOKEN
//
// It submits a native task that prints a line and exits with code 3, follows
// its logs (a server stream) to the end, reads the task back, checks that a
// missing task is NOT_FOUND and that a call without the token is refused,
// lists nodes, and prints one JSON object with what it saw. Any unexpected
// failure goes to stderr with exit code 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	hakuriverv1 "hakuriver.dev/gen/go/hakuriver/v1"
)

// callTimeout bounds each unary call; followTimeout bounds the whole log follow.
const (
	callTimeout   = 10 * time.Second
	followTimeout = 30 * time.Second
)

// seen is what the client observed, printed as JSON for the test to check.
type seen struct {
	TaskID         string   `json:"taskId"`
	Output         string   `json:"output"`
	Chunks         int      `json:"chunks"`
	OffsetsInOrder bool     `json:"offsetsInOrder"`
	EndEvents      int      `json:"endEvents"`
	EndStatus      string   `json:"endStatus"`
	EndExitCode    *int32   `json:"endExitCode"`
	EndSize        int64    `json:"endSize"`
	TaskStatus     string   `json:"taskStatus"`
	TaskExitCode   *int32   `json:"taskExitCode"`
	NotFound       string   `json:"notFound"`
	NotFoundCode   uint32   `json:"notFoundCode"`
	Details        string   `json:"details"`
	Nodes          []string `json:"nodes"`
	Anonymous      string   `json:"anonymous"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: hakuriver-client HOST:PORT TOKEN")
		os.Exit(2)
	}
	result, err := run(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "hakuriver-client:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
		fmt.Fprintln(os.Stderr, "hakuriver-client: writing the result:", err)
		os.Exit(1)
	}
}

// run makes every call against the Host at address and gathers what it saw.
func run(address, token string) (*seen, error) {
	authed, err := grpc.Dial(address, grpc.WithInsecure(), grpc.WithPerRPCCredentials(bearerToken(token)))
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	defer authed.Close()
	client := hakuriverv1.NewClientServiceClient(authed)
	result := &seen{}

	taskID, err := submit(client)
	if err != nil {
		return nil, err
	}
	result.TaskID = taskID
	if err := follow(client, taskID, result); err != nil {
		return nil, err
	}
	if err := readBack(client, taskID, result); err != nil {
		return nil, err
	}
	if err := missingTask(client, result); err != nil {
		return nil, err
	}
	if err := listNodes(client, result); err != nil {
		return nil, err
	}
	if err := anonymousCall(address, result); err != nil {
		return nil, err
	}
	return result, nil
}

// submit starts a native task that prints "from go" and exits with code 3.
func submit(client hakuriverv1.ClientServiceClient) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	response, err := client.SubmitTask(ctx, &hakuriverv1.SubmitTaskRequest{
		Command:   "sh",
		Args:      []string{"-c", `echo "from $0"; exit 3`, "go"},
		Container: "NULL",
		Env:       map[string]string{"A": "1"},
	})
	if err != nil {
		return "", fmt.Errorf("SubmitTask: %w", err)
	}
	if len(response.GetTasks()) != 1 {
		return "", fmt.Errorf("SubmitTask: want 1 task, got %d", len(response.GetTasks()))
	}
	return response.GetTasks()[0].GetTaskId(), nil
}

// follow reads the task's log stream until the server closes it, keeping the
// data chunks and the end event (and counting anything after the end).
func follow(client hakuriverv1.ClientServiceClient, taskID string, result *seen) error {
	ctx, cancel := context.WithTimeout(context.Background(), followTimeout)
	defer cancel()
	stream, err := client.FollowLogs(ctx, &hakuriverv1.FollowLogsRequest{TaskId: taskID, Follow: true})
	if err != nil {
		return fmt.Errorf("FollowLogs: %w", err)
	}
	var output []byte
	result.OffsetsInOrder = true
	for {
		response, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("FollowLogs: %w", err)
		}
		switch event := response.GetEvent().(type) {
		case *hakuriverv1.FollowLogsResponse_Data:
			if event.Data.GetOffset() != int64(len(output)) {
				result.OffsetsInOrder = false
			}
			output = append(output, event.Data.GetData()...)
			result.Chunks++
		case *hakuriverv1.FollowLogsResponse_End:
			result.EndEvents++
			result.EndStatus = event.End.GetStatus().String()
			result.EndExitCode = event.End.ExitCode
			result.EndSize = event.End.GetSize()
		default:
			return fmt.Errorf("FollowLogs: a response with no event: %v", response)
		}
	}
	result.Output = string(output)
	return nil
}

// readBack gets the task after its stream ended, for its recorded final state.
func readBack(client hakuriverv1.ClientServiceClient, taskID string, result *seen) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	response, err := client.GetTask(ctx, &hakuriverv1.GetTaskRequest{TaskId: taskID})
	if err != nil {
		return fmt.Errorf("GetTask %s: %w", taskID, err)
	}
	result.TaskStatus = response.GetTask().GetStatus().String()
	result.TaskExitCode = response.GetTask().ExitCode
	return nil
}

// missingTask asks for task 1, which no Host hands out, and keeps the status.
func missingTask(client hakuriverv1.ClientServiceClient, result *seen) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err := client.GetTask(ctx, &hakuriverv1.GetTaskRequest{TaskId: "1"})
	if err == nil {
		return errors.New("GetTask 1: succeeded, want an error")
	}
	refused, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("GetTask 1: not a gRPC status: %w", err)
	}
	result.NotFound = refused.Code().String()
	result.NotFoundCode = uint32(refused.Code())
	result.Details = refused.Message()
	return nil
}

// listNodes keeps the names of the nodes the Host knows.
func listNodes(client hakuriverv1.ClientServiceClient, result *seen) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	response, err := client.ListNodes(ctx, &hakuriverv1.ListNodesRequest{})
	if err != nil {
		return fmt.Errorf("ListNodes: %w", err)
	}
	result.Nodes = []string{}
	for _, node := range response.GetNodes() {
		result.Nodes = append(result.Nodes, node.GetName())
	}
	return nil
}

// anonymousCall lists nodes on a connection without the token and keeps the
// code it is refused with.
func anonymousCall(address string, result *seen) error {
	bare, err := grpc.Dial(address, grpc.WithInsecure())
	if err != nil {
		return fmt.Errorf("dial without token: %w", err)
	}
	defer bare.Close()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err = hakuriverv1.NewClientServiceClient(bare).ListNodes(ctx, &hakuriverv1.ListNodesRequest{})
	if err == nil {
		return errors.New("ListNodes without token: succeeded, want an error")
	}
	result.Anonymous = status.Code(err).String()
	return nil
}

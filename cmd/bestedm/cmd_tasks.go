package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

func newTemplatesCmd(a *app) *cobra.Command {
	list := &cobra.Command{
		Use:   "list",
		Short: "List the templates",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.api()
			if err != nil {
				return err
			}
			ts, err := c.Template.List(cmd.Context())
			if err != nil {
				return err
			}
			p := a.table("ID", "NAME", "SUBJECT", "ATTACHMENTS", "CREATED", "UPDATED")
			for _, t := range ts {
				if err := printRow(p, t, itoa(t.ID), t.Name, subjects(t), itoa(int64(len(t.Attachments))), tstr(t.Created), tstr(t.Updated)); err != nil {
					return err
				}
			}
			return p.flush()
		},
	}
	var withContent bool
	show := &cobra.Command{
		Use:   "show TEMPLATE",
		Short: "Show one template (--content prints its HTML)",
		Args:  nArgs("TEMPLATE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("TEMPLATE", args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			t, err := c.Template.Get(cmd.Context(), id)
			if err != nil {
				return err
			}
			if withContent && a.output == "table" {
				_, err := a.stdout.Write([]byte(t.Content))
				return err
			}
			var atts []string
			for _, at := range t.Attachments {
				atts = append(atts, itoa(at.ID)+":"+at.Name)
			}
			return a.record(t, [][2]string{
				{"id", itoa(t.ID)}, {"name", t.Name}, {"subjects", subjects(*t)},
				{"content_type", t.ContentType}, {"content_bytes", itoa(int64(len(t.Content)))},
				{"attachments", strings.Join(atts, ", ")},
				{"created", tstr(t.Created)}, {"updated", tstr(t.Updated)},
			})
		},
	}
	show.Flags().BoolVar(&withContent, "content", false, "print the template's content instead of its details")

	var (
		tp       bestedm.TemplateParams
		htmlFile string
		textFile string
		attach   []string
	)
	create := &cobra.Command{
		Use:   "create NAME --subject S --html FILE [--attach FILE]...",
		Short: "Create a template from an HTML file, with attachments; prints its id",
		Args:  nArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			tp.Name = args[0]
			if len(tp.Subjects) == 0 || htmlFile == "" {
				return usagef("--subject and --html are required")
			}
			b, err := os.ReadFile(htmlFile)
			if err != nil {
				return err
			}
			tp.Content = string(b)
			if textFile != "" {
				b, err := os.ReadFile(textFile)
				if err != nil {
					return err
				}
				tp.TextContent = string(b)
			}
			for _, name := range attach {
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				defer f.Close()
				tp.Attachments = append(tp.Attachments, bestedm.File{Name: filepath.Base(name), Content: f})
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			res, err := c.Template.Create(cmd.Context(), &tp)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
	create.Flags().StringArrayVar(&tp.Subjects, "subject", nil, "a subject line (repeat for several)")
	create.Flags().StringVar(&htmlFile, "html", "", "file holding the HTML body")
	create.Flags().StringVar(&textFile, "text", "", "file holding the plain-text body")
	create.Flags().StringArrayVar(&attach, "attach", nil, "file to attach (repeat for several)")

	del := idAction(a, "delete TEMPLATE", "Delete a template", "TEMPLATE",
		func(cmd *cobra.Command, c *bestedm.Client, id int64) (*bestedm.Result, error) {
			return c.Template.Delete(cmd.Context(), id)
		})
	return group("templates", "Templates: list, show, create, delete", list, show, create, del)
}

func subjects(t bestedm.Template) string {
	s := make([]string, len(t.Subjects))
	for i, sub := range t.Subjects {
		s[i] = sub.Name
	}
	return strings.Join(s, " | ")
}

func taskRow(p *printer, t bestedm.Task) error {
	return printRow(p, t, itoa(t.ID), t.SN, sendStatusName(t.SendStatus), tstr(t.SendTime),
		ids(t.TemplateIDs), ids(t.ListIDs), itoa(t.SendCount), itoa(t.ErrorCount), trackStatusName(t.TrackStatus))
}

var taskHeaders = []string{"ID", "BATCH", "STATUS", "SEND_TIME", "TEMPLATES", "LISTS", "SENT", "FAILED", "TRACKING"}

func newTasksCmd(a *app) *cobra.Command {
	var date string
	list := &cobra.Command{
		Use:   "list [--date YYYY-MM-DD]",
		Short: "List the sending tasks, or those of one day",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.api()
			if err != nil {
				return err
			}
			p := a.table(taskHeaders...)
			if date != "" {
				d, err := parseDate(c, date)
				if err != nil {
					return err
				}
				ts, err := c.Task.Find(cmd.Context(), &bestedm.TaskFindOptions{Date: d})
				if err != nil {
					return err
				}
				for _, t := range ts {
					if err := taskRow(p, t); err != nil {
						return err
					}
				}
				return p.flush()
			}
			for t, err := range c.Task.List(cmd.Context(), nil) {
				if err != nil {
					return err
				}
				if err := taskRow(p, t); err != nil {
					return err
				}
			}
			return p.flush()
		},
	}
	list.Flags().StringVar(&date, "date", "", "only the tasks of this day (YYYY-MM-DD, today, yesterday)")

	show := &cobra.Command{
		Use:   "show TASK",
		Short: "Show one sending task",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("TASK", args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			t, err := c.Task.Get(cmd.Context(), id)
			if err != nil {
				return err
			}
			return a.record(t, [][2]string{
				{"id", itoa(t.ID)}, {"batch", t.SN}, {"status", sendStatusName(t.SendStatus)},
				{"send_time", tstr(t.SendTime)}, {"started", tstr(t.TimeStart)}, {"ended", tstr(t.TimeEnd)},
				{"templates", ids(t.TemplateIDs)}, {"lists", ids(t.ListIDs)},
				{"sender", t.Sender}, {"sender_name", t.SenderName},
				{"quantity", itoa(t.SendQtyActual)}, {"sent", itoa(t.SendCount)}, {"failed", itoa(t.ErrorCount)},
				{"tracking", trackStatusName(t.TrackStatus)},
			})
		},
	}

	var (
		tp       bestedm.TaskParams
		at       string
		hold     bool
		now      bool
		tracking string
	)
	create := &cobra.Command{
		Use:   "create --template ID --list ID --from ADDRESS [--at TIME]",
		Short: "Create a sending task; prints its id",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(tp.TemplateIDs) == 0 || len(tp.MaillistIDs) == 0 || tp.SendAccount == "" {
				return usagef("--template, --list and --from are required")
			}
			switch tracking {
			case "none":
				tp.TrackStatus = bestedm.TrackNone
			case "opens":
				tp.TrackStatus = bestedm.TrackOpens
			case "clicks":
				tp.TrackStatus = bestedm.TrackOpensAndClicks
			default:
				return usagef("--track must be none, opens or clicks, not %q", tracking)
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			tp.Time = time.Now().In(c.Location()).Add(time.Minute)
			if at != "" {
				t, err := time.ParseInLocation("2006-01-02 15:04", at, c.Location())
				if err != nil {
					return usagef("--at must be \"YYYY-MM-DD HH:MM\", not %q", at)
				}
				tp.Time = t
			}
			switch {
			case hold && now:
				return usagef("--hold and --now exclude each other")
			case hold:
				tp.Status = bestedm.TaskHold
			case now:
				tp.Status = bestedm.TaskSendNow
			}
			res, err := c.Task.Create(cmd.Context(), &tp)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
	f := create.Flags()
	f.Int64SliceVar(&tp.TemplateIDs, "template", nil, "template id (repeat or comma-separate for several)")
	f.Int64SliceVar(&tp.MaillistIDs, "list", nil, "contact list id (repeat or comma-separate for several)")
	f.StringVar(&tp.SendAccount, "from", "", "sender address, or all")
	f.StringVar(&tp.SendDomain, "domain", "", "sender domain (with --from all)")
	f.StringVar(&tp.SendFullname, "name", "", "sender name")
	f.IntVar(&tp.SendQty, "quantity", 0, "messages to send (0: every address)")
	f.StringVar(&at, "at", "", "send time, \"YYYY-MM-DD HH:MM\" (default: in a minute)")
	f.BoolVar(&hold, "hold", false, "create the task on hold")
	f.BoolVar(&now, "now", false, "send at once")
	f.StringVar(&tracking, "track", "clicks", "what to track: none, opens or clicks")

	hold1 := idAction(a, "hold TASK", "Put a waiting task on hold", "TASK",
		func(cmd *cobra.Command, c *bestedm.Client, id int64) (*bestedm.Result, error) {
			return c.Task.Update(cmd.Context(), id, &bestedm.TaskUpdateParams{SendStatus: bestedm.SendHeld})
		})
	resume := idAction(a, "resume TASK", "Release a held task to be sent at its time", "TASK",
		func(cmd *cobra.Command, c *bestedm.Client, id int64) (*bestedm.Result, error) {
			return c.Task.Update(cmd.Context(), id, &bestedm.TaskUpdateParams{SendStatus: bestedm.SendWaiting})
		})
	del := idAction(a, "delete TASK", "Delete a task", "TASK",
		func(cmd *cobra.Command, c *bestedm.Client, id int64) (*bestedm.Result, error) {
			return c.Task.Delete(cmd.Context(), id)
		})
	return group("tasks", "Sending tasks: list, show, create, hold, resume, delete", list, show, create, hold1, resume, del)
}
